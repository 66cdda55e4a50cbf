"""The command line of ``tools/test.py``: MMagic's runner test, then the paper's Table 1 (markdown and JSON)."""
import argparse
import json
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

from .train import build_config, parse_with_runner_options


def parse_test_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='Test a GlyphSR (or other MMagic) restorer: word accuracy of the '
                                'configured recognizers on LR / SR / HR, PSNR and SSIM, as in Table 1 of the paper')
    p.add_argument('config', help='test config file path')
    p.add_argument('checkpoint', help='checkpoint of the restorer (a tools/train.py checkpoint, or a converted one)')
    p.add_argument('--work-dir', help='where logs and the results table go (default: work_dirs/<config name>)')
    p.add_argument('--save-images', metavar='DIR', help='also write every SR image to DIR/<subset>/<index>.png')
    p.add_argument('--rows', nargs='+', choices=['LR', 'SR', 'HR'],
                   help="images the recognizers read (default: the config's test_evaluator, LR SR HR)")
    p.add_argument('--out', help='results file prefix (default: <work-dir>/test_results); .md and .json are written')
    return parse_with_runner_options(p, argv, 'test_dataloader.batch_size=16')


def _metric_cfgs(evaluator) -> List[dict]:
    if isinstance(evaluator, dict):
        return list(evaluator.get('metrics', [evaluator]))
    return [m for e in evaluator for m in _metric_cfgs(e)]


def check_generator_keys(cfg, checkpoint: str) -> None:
    """Exit naming every generator tensor that ``checkpoint`` lacks, has in excess or has in another shape.

    MMEngine's ``load_from`` loads non-strictly (a missing tensor is a log warning and keeps its random init);
    testing such a model would report numbers of a partly random network. Recognizer weights (text prior, text
    focus loss) come from their own checkpoints and are not checked here.
    """
    import copy

    from mmengine.registry import init_default_scope

    from glyphsr_mm.registry import MODELS
    from glyphsr_mm.utils.checkpoint import CheckpointMismatchError, read_state_dict
    init_default_scope(cfg.get('default_scope', 'mmagic'))
    try:
        state = read_state_dict(checkpoint, strip_prefixes=())
    except CheckpointMismatchError as e:
        raise SystemExit(f'{checkpoint}: {e}') from None
    prefix = 'generator.'
    found = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    expected = MODELS.build(copy.deepcopy(cfg.model.generator)).state_dict()
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    shapes = sorted(f'{k} {tuple(found[k].shape)} (config: {tuple(v.shape)})' for k, v in expected.items()
                    if k in found and tuple(found[k].shape) != tuple(v.shape))
    if missing or unexpected or shapes:
        lines = [f'{checkpoint} does not fit the generator of the config ({cfg.model.generator.type}):']
        for title, items in (('missing', missing), ('unexpected', unexpected), ('different shape', shapes)):
            if items:
                lines.append(f'  {title} ({len(items)}): ' + ', '.join(prefix + i for i in items[:20]) +
                             (' ...' if len(items) > 20 else ''))
        raise SystemExit('\n'.join(lines))


def build_test_config(args: argparse.Namespace):
    """The config with the checkpoint, reference rows and image saving of the command line applied."""
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'checkpoint not found: {args.checkpoint}')
    cfg = build_config(args)
    check_generator_keys(cfg, args.checkpoint)
    cfg.load_from = args.checkpoint
    if cfg.get('test_evaluator') is None or cfg.get('test_dataloader') is None:
        raise SystemExit(f'{args.config} has no test_dataloader/test_evaluator to test with')
    accuracy = [m for m in _metric_cfgs(cfg.test_evaluator) if m.get('type') == 'TextRecognitionAccuracy']
    if args.rows:
        if not accuracy:
            raise SystemExit('--rows needs a TextRecognitionAccuracy metric in the test_evaluator')
        for m in accuracy:
            m['rows'] = tuple(args.rows)
    if args.save_images:
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
            dict(type='SRImageSaverHook', out_dir=args.save_images)]
    return cfg


def run_test(argv: Optional[Sequence[str]] = None) -> Dict[str, float]:
    """Parse the command line, test with MMEngine's runner, print and save the table. Returns the metrics."""
    args = parse_test_args(argv)
    cfg = build_test_config(args)
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    from glyphsr_mm.evaluation.results_table import markdown_table, table_rows

    class _KeepMetrics(Hook):  # MMagic's MultiTestLoop.run() returns nothing; its metrics reach the hooks
        metrics: Dict[str, float] = {}

        def after_test_epoch(self, runner, metrics=None):
            self.metrics = dict(metrics or {})

    keep = _KeepMetrics()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(keep, priority='LOWEST')
    runner.test()
    metrics = keep.metrics
    if runner.rank == 0:
        out = args.out or osp.join(cfg.work_dir, 'test_results')
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
        title = f'{osp.basename(args.config)} — {osp.basename(args.checkpoint)} (word accuracy %, PSNR dB / SSIM)'
        table = markdown_table(metrics, title=title)
        print('\n' + table)
        with open(out + '.md', 'w', encoding='utf-8') as f:
            f.write(table)
        with open(out + '.json', 'w', encoding='utf-8') as f:
            json.dump(dict(config=args.config, checkpoint=args.checkpoint, date=time.strftime('%Y-%m-%d %H:%M:%S'),
                           table=table_rows(metrics), metrics=metrics), f, indent=2)
        runner.logger.info(f'results table: {out}.md, {out}.json')
    from glyphsr_mm.utils.distributed import finish_distributed
    finish_distributed()
    return metrics
