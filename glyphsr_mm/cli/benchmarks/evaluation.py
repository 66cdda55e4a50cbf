"""Benchmark ``evaluation``: end-to-end test throughput through MMagic's runner (data, text prior, GlyphSR, metrics): PSNR/SSIM only"""
import os
import time
from typing import List, Tuple


from glyphsr_mm.utils.markdown import markdown_table
from . import common


def run(args) -> Tuple[str, List[str]]:
    """End-to-end test throughput through MMagic's runner (data, text prior, GlyphSR, metrics): PSNR/SSIM only
    against adding the three TextZoom recognizers on SR, then on LR / SR / HR (first pass, then cached)."""
    import copy
    import tempfile

    from mmengine.config import Config
    from mmengine.runner import Runner
    per_subset = max(1, args.eval_images // 3)
    roots = common.synthetic_test(args, per_subset)
    n = 3 * per_subset
    cfg = Config.fromfile(os.path.join(common.ROOT, 'configs', 'glyphsr_textzoom.py'))
    # Random weights (none can be downloaded here); speed does not depend on the values. Training-only losses
    # are left out: test runs never call them.
    cfg.model.text_prior.recognizer.update(checkpoint=None, allow_random=True)
    for key in ('text_focus_loss', 'hog_loss', 'glyph_loss'):
        cfg.model.pop(key)
    recs = {name: dict(rec, checkpoint=None, allow_random=True)
            for name, rec in cfg.test_evaluator.metrics[0].recognizers.items()}
    quality = [dict(type='PSNR', crop_border=0), dict(type='SSIM', crop_border=0)]
    accuracy = lambda rows: dict(type='TextRecognitionAccuracy', recognizers=recs, rows=rows,  # noqa: E731
                                 recognizer_device=args.device)
    cfg.merge_from_dict({'test_dataloader.dataset.data_root': roots, 'test_dataloader.batch_size': args.batch,
                         'test_dataloader.num_workers': 2, 'custom_hooks': [], 'log_level': 'WARNING',
                         'env_cfg.dist_cfg.backend': 'gloo'})
    cases = [('PSNR + SSIM only (model and data: the baseline)', quality, 1),
             (f'+ word accuracy of {", ".join(recs)} on SR', [accuracy(('SR', ))] + quality, 1),
             ('+ LR and HR reference rows (Table 1; first pass, then cached per sample)',
              [accuracy(('LR', 'SR', 'HR'))] + quality, 2)]
    header, body = ['evaluation', 'pass', 'seconds', 'images/s', 'ratio to baseline'], []
    base = None
    for name, metrics, passes in cases:
        c = copy.deepcopy(cfg)
        c.test_evaluator = dict(type='Evaluator', metrics=metrics)
        with tempfile.TemporaryDirectory() as work:
            c.work_dir = work
            runner = Runner.from_cfg(c)
            runner.model.to(args.device)
            runner.test_loop  # noqa: B018  (builds the loop, its evaluator and recognizers: not timed)
            for p in range(passes):
                t = time.perf_counter()
                runner.test()
                sec = time.perf_counter() - t
                base = base or n / sec
                body.append([name, p + 1, f'{sec:.1f}', f'{n / sec:.1f}', f'{n / sec / base:.2f}'])
    rows = markdown_table(header, body) + ['', f'{n} synthetic test images ({per_subset} per subset), batch {args.batch}, 2 loader workers, '
             "configs/glyphsr_textzoom.py's model (PARSeq text prior, N = 5, GFM) and recognizers, random weights. "
             'One timed pass per row (a whole `runner.test()`), after building the runner, its test loop and '
             'recognizers.']
    return 'evaluation', rows

