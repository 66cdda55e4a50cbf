"""`make demo`: the main job on the embedded default — no data or weights to fetch.

    python tools/demo_main.py [--work-dir work_dirs/demo] [--iters 250] [--num-train 4000] [--num-test 100]

1. environment report;
2. a synthetic TextZoom (train + test easy/medium/hard) with exact glyph masks, made with a data seed (1) that the
   shipped model never saw;
3. glyph masks: SAM GEM (tools/extract_glyphs.py) when SAM_CHECKPOINT is set, else the synthetic set's exact masks
   ('render' mode) — said in the output and the report;
4. tests the shipped GlyphSR (checkpoints/glyphsr_synthetic.pth) with tools/test.py: Table 1 in the paper's
   protocol (the evaluators trained here, configs/demo/table1_shipped_synthetic.py: TextZoom's
   and MMOCR's CRNN on bicubic LR / SR / HR, the share of the gap closed), rapidocr word accuracy on bicubic LR / SR /
   HR per subset, PSNR/SSIM; and reads the real word crops (tests/data/real_word_crops, down-scaled to 16x64) with
   rapidocr, bicubic vs SR;
5. trains GlyphSR from scratch for a short budget (configs/demo/glyphsr_demo_synthetic.py, EasyOCR english_g2 as
   text prior) and tests it, to show that training runs and improves;
6. writes <work-dir>/report.md with the tables and an image sheet (sheet.png).

Every step is reused on a rerun when its output exists; an interrupted training resumes from its last checkpoint.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence, Tuple

from glyphsr_mm.cli import REPO_ROOT as ROOT
from glyphsr_mm.cli.demo import SHIPPED_CHECKPOINT, SHIPPED_CONFIG
from glyphsr_mm.utils.machine import describe_machine
from glyphsr_mm.utils.markdown import markdown_table
from glyphsr_mm.utils.run_logs import scalar_logs

SCRATCH_CONFIG = 'configs/demo/glyphsr_demo_synthetic.py'
TABLE1_CONFIG = 'configs/demo/table1_shipped_synthetic.py'
SUBSETS = ('easy', 'medium', 'hard')
REAL_CROPS = osp.join(ROOT, 'tests', 'data', 'real_word_crops')


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs', 'demo'))
    p.add_argument('--iters', type=int, default=int(os.environ.get('GLYPHSR_DEMO_ITERS', 250)),
                   help='training iterations per model (batch 16)')
    p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--num-train', type=int, default=4000)
    p.add_argument('--num-test', type=int, default=100, help='test images per subset')
    p.add_argument('--seed', type=int, default=0, help='training seed')
    p.add_argument('--data-seed', type=int, default=1,
                   help='seed of the synthetic set (the shipped model was trained and selected on seed 0)')
    return p.parse_args(argv)


def step(title: str) -> None:
    print(f'\n== {title} ==', flush=True)


def run_logged(cmd: List[str], log_path: str, env: Optional[dict] = None, show=('Iter(', 'Error', 'error:')) -> None:
    """Run ``cmd``, write all its output to ``log_path`` and echo the progress lines; fail naming the log."""
    with open(log_path, 'a', encoding='utf-8') as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
                                env={**os.environ, **(env or {})})
        for line in proc.stdout:
            log.write(line)
            if any(s in line for s in show):
                print('   ' + line.rstrip()[-150:], flush=True)
        if proc.wait() != 0:
            raise SystemExit(f'failed ({proc.returncode}): {" ".join(cmd)}\n  see {log_path}')


def make_data(args) -> str:
    data = osp.join(args.work_dir, 'data')
    # the converter skips finished splits, so a rerun costs nothing
    run_logged([sys.executable, 'tools/dataset_converters/make_synthetic_textzoom.py', data, '--num-train',
                str(args.num_train), '--num-test', str(args.num_test), '--seed', str(args.data_seed), '--workers', '2'],
               osp.join(args.work_dir, 'make_data.log'), show=('synthetic TextZoom in', 'Error'))
    return data


DEFAULT_TBSRN = osp.expanduser('~/.cache/glyphsr_mm/recognizers/tbsrn_transformer_w0.125_synthetic_seed0.pth')


def glyph_masks(args, data: str) -> Tuple[str, Dict[str, str]]:
    """Run GEM when SAM_CHECKPOINT is set ('sam', with the environment that makes the demo configs read its cache),
    else use the synthetic set's stored masks ('render', nothing to set)."""
    sam = os.environ.get('SAM_CHECKPOINT')
    if not sam:
        print("glyph masks: render mode (the synthetic set's exact per-character masks, stored in its LMDB); set "
              'SAM_CHECKPOINT=<sam_vit_b_01ec64.pth> to run SAM GEM instead')
        return 'render', {}
    tbsrn = os.environ.get('TBSRN_TRANSFORMER', DEFAULT_TBSRN)
    if not osp.isfile(tbsrn):
        raise SystemExit(f'SAM_CHECKPOINT is set; GEM also needs the 1/8-width TBSRN transformer recognizer, but '
                         f'{tbsrn} does not exist: train it with tools/train_recognizer.py '
                         'configs/recognizers/tbsrn_transformer_w0.125_synthetic.py, or set TBSRN_TRANSFORMER')
    cache = osp.join(args.work_dir, 'glyph_cache_sam')
    model_type = os.environ.get('SAM_MODEL_TYPE', 'vit_b')
    run_logged([sys.executable, 'tools/extract_glyphs.py', 'configs/glyph/gem_sam_vit_b_synthetic.py', '--out', cache,
                '--verify', '--cfg-options', f'data_roots=[{osp.join(data, "train")}]',
                f'gem.extractor.sam.checkpoint={sam}', f'gem.extractor.sam.model_type={model_type}',
                f'gem.extractor.recognizer.checkpoint={tbsrn}'],
               osp.join(args.work_dir, 'extract_glyphs.log'), show=('verify', 'Error'))
    print(f'glyph masks: SAM GEM (SAM {model_type} {sam}, TBSRN {tbsrn}), cache {cache}')
    return 'sam', {'SYNTHETIC_GLYPH_MODE': 'sam', 'SYNTHETIC_GLYPH_CACHE': cache}  # read by configs/demo/


def train(args, name: str, config: str, work: str, data: str, extra: Sequence[str] = (),
          env: Optional[Dict[str, str]] = None) -> str:
    final = osp.join(work, f'iter_{args.iters}.pth')
    if osp.isfile(final):
        print(f'{name}: reusing {final}')
        return final
    os.makedirs(work, exist_ok=True)
    resume = ['--resume'] if any(f.startswith('iter_') and f.endswith('.pth') for f in os.listdir(work)) else []
    if resume:
        print(f'{name}: resuming the interrupted training in {work}')
    t = time.time()
    warmup = max(1, min(30, args.iters // 5))
    opts = [f'max_iters={args.iters}', f'train_cfg.max_iters={args.iters}', f'train_cfg.val_interval={args.iters}',
            f'param_scheduler.0.end={warmup}', f'param_scheduler.1.begin={warmup}',
            f'param_scheduler.1.end={args.iters}', f'param_scheduler.1.T_max={args.iters - warmup}',
            f'train_dataloader.batch_size={args.batch_size}',
            f'default_hooks.checkpoint.interval={min(50, args.iters)}',
            f'default_hooks.logger.interval={min(20, args.iters)}', f'randomness.seed={args.seed}', *extra]
    run_logged([sys.executable, 'tools/train.py', config, '--work-dir', work, *resume, '--cfg-options', *opts],
               osp.join(work, 'train.log'), env={'GLYPHSR_DEMO_DATA': data, **(env or {})})
    print(f'{name}: {args.iters} iterations in {(time.time() - t) / 60:.1f} min')
    return final


def is_newer(result: str, source: str) -> bool:
    """Whether ``result`` exists and was written after ``source`` changed (a replaced checkpoint is re-tested)."""
    return osp.isfile(result) and osp.getmtime(result) >= osp.getmtime(source)


def read_json(path: str) -> dict:
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def test(name: str, config: str, ckpt: str, work: str, data: str, options: Sequence[str] = ()) -> Dict[str, float]:
    """Metrics of ``tools/test.py`` on ``ckpt`` over ``data``'s test splits (reused when its results exist);
    ``options`` go to --cfg-options."""
    out = osp.join(work, 'test_results')
    os.makedirs(work, exist_ok=True)
    if is_newer(out + '.json', ckpt) and read_json(out + '.json')['checkpoint'] == ckpt:
        print(f'{name}: reusing {out}.json')
    else:
        opts = ['--cfg-options', *options] if options else []
        run_logged([sys.executable, 'tools/test.py', config, ckpt, '--work-dir', work, '--out', out, *opts],
                   osp.join(work, 'test.log'), env={'GLYPHSR_DEMO_DATA': data, 'SYNTHETIC_TEXTZOOM_ROOT': data},
                   show=('Epoch(test)', 'Error'))
    return read_json(out + '.json')['metrics']


def shipped_readout(work: str) -> Dict[str, object]:
    """rapidocr on the real word crops (down-scaled to 16x64 by the inferencer), bicubic vs the shipped SR."""
    from glyphsr_mm.cli.demo import parse_demo_args, super_resolve_files
    out = osp.join(work, 'real_crops')
    path = osp.join(out, 'summary.json')
    if is_newer(path, SHIPPED_CHECKPOINT):
        print(f'real crops: reusing {path}')
        return read_json(path)
    args = parse_demo_args([REAL_CROPS, '--out', out, '--recognizer', 'rapidocr', '--labels',
                            osp.join(REAL_CROPS, 'labels.tsv'), '--device', 'cpu', '--sheet'])
    summary = super_resolve_files(args)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(summary, f)
    return summary


def image_sheet(data: str, checkpoints: Dict[str, Tuple[str, str]], path: str, per_subset: int = 3) -> None:
    """Rows: test images of each subset; columns LR | scratch SR | shipped SR | HR | shipped line / char maps."""
    import torch
    from PIL import Image

    from glyphsr_mm.apis import TextSRInferencer
    from glyphsr_mm.datasets import TextZoomLMDB
    from glyphsr_mm.utils.glyph_sheet import char_overlay_panel, image_panel, line_map_panel, tile
    lrs, hrs = [], []
    for s in SUBSETS:
        db = TextZoomLMDB(osp.join(data, 'test', s))
        for i in range(1, min(per_subset, len(db)) + 1):
            imgs = db.read_images(i)
            lrs.append(imgs['lr'])
            hrs.append(imgs['hr'])
    os.environ['GLYPHSR_DEMO_DATA'] = data
    outs = {n: TextSRInferencer(osp.join(ROOT, cfg), ckpt, device='cpu')(lrs) for n, (cfg, ckpt) in checkpoints.items()}
    chw = lambda a: torch.from_numpy(a).permute(2, 0, 1)  # noqa: E731
    rows = []
    for i in range(len(lrs)):
        sr = outs['shipped']['sr'][i]
        panels = [image_panel(chw(lrs[i]), (32, 128), value_range=255.), outs['scratch']['sr'][i], sr,
                  image_panel(chw(hrs[i]), (32, 128), value_range=255.)]
        if outs['shipped']['line_map'] is not None:
            panels += [line_map_panel(outs['shipped']['line_map'][i], (32, 128)),
                       char_overlay_panel(outs['shipped']['char_maps'][i], sr)]
        rows.append(panels)
    Image.fromarray(tile(rows)).save(path)


MASK_NOTES = {'render': "**render mode** (the synthetic set's exact character masks; SAM_CHECKPOINT selects SAM GEM)",
              'sam': '**SAM GEM** (tools/extract_glyphs.py, configs/glyph/gem_sam_vit_b_synthetic.py)'}


def loss_trend(work: str) -> Optional[Tuple[int, float, int, float]]:
    """(first iteration, its total loss, last iteration, its total loss) from the run's logged scalars."""
    rows = [r for log in scalar_logs(work) for r in log if 'loss' in r]
    if not rows:
        return None
    return rows[0]['step'], rows[0]['loss'], rows[-1]['step'], rows[-1]['loss']


def shipped_metadata() -> dict:
    path = osp.splitext(SHIPPED_CHECKPOINT)[0] + '.json'
    return read_json(path) if osp.isfile(path) else {}


def report(args, metrics: Dict[str, Dict[str, float]], real: Dict[str, object], trend, minutes: float, path: str,
           masks: str = 'render', table1: Optional[Dict[str, float]] = None) -> str:
    rec = 'rapidocr'
    cols = list(SUBSETS) + ['average']
    meta = shipped_metadata()
    lines = ['# glyphsr_mm demo report', '',
             f'Synthetic TextZoom made for this demo ({args.num_train} training pairs, {args.num_test} test images '
             f'per subset, data seed {args.data_seed}); glyph masks: {MASK_NOTES[masks]}. Evaluation: rapidocr '
             '(pretrained PP-OCR, offline) word accuracy in % (lower-cased alphanumerics), MMagic PSNR (dB) / SSIM '
             f'on SR vs HR. Machine: {describe_machine()}; total time {minutes:.1f} min.', '',
             f'- **shipped**: `{osp.relpath(SHIPPED_CHECKPOINT, ROOT)}` (`{osp.relpath(SHIPPED_CONFIG, ROOT)}`'
             + (f'; {meta["iterations"]} iterations on the synthetic set of data seed {meta["data_seed"]}'
                if 'iterations' in meta else '') + '), tested as is;',
             f'- **from scratch**: GlyphSR trained here for {args.iters} iterations at batch {args.batch_size} '
             f'({SCRATCH_CONFIG}, text prior EasyOCR english_g2, no text focus loss, seed {args.seed}).', '']
    if table1:
        from glyphsr_mm.evaluation.results_table import markdown_table as table1_markdown
        lines += ['## Table 1: the shipped GlyphSR read by the shipped evaluators', '',
                  f'`{TABLE1_CONFIG}`: TextZoom\'s CRNN and MMOCR\'s CRNN, trained here on a '
                  'synthetic word set no SR model sees (checkpoints/README.md); word accuracy in %, the share of the '
                  'bicubic-to-HR gap that SR closes, PSNR/SSIM.', '', table1_markdown(table1).rstrip('\n'), '',
                  '## rapidocr', '']
    base = metrics['shipped']
    body = [['bicubic LR'] + [f'{base[f"{rec}/{c}/word_acc_LR"]:.1f}' for c in cols] + ['—', '—']]
    for key, name in (('shipped', 'GlyphSR shipped SR'), ('scratch', f'GlyphSR {args.iters} it. SR')):
        m = metrics[key]
        body.append([name] + [f'{m[f"{rec}/{c}/word_acc"]:.1f}' for c in cols]
                    + [f'{m["PSNR"]:.2f}', f'{m["SSIM"]:.4f}'])
    body.append(['HR'] + [f'{base[f"{rec}/{c}/word_acc_HR"]:.1f}' for c in cols] + ['—', '—'])
    lines += markdown_table(['images', *cols, 'PSNR', 'SSIM'], body)
    lr, sr = base[f'{rec}/average/word_acc_LR'], base[f'{rec}/average/word_acc']
    verdict = 'beats' if sr > lr else 'does not beat'
    lines += ['', f'Shipped GlyphSR SR {verdict} bicubic LR on rapidocr: {sr:.1f}% vs {lr:.1f}% (average).', '']
    if real.get('labelled'):
        n = real['labelled']
        lines += [f'Real word crops ({n}, `tests/data/real_word_crops`, each down-scaled to 16x64 with bicubic): '
                  f'rapidocr reads {real["lr_correct"]}/{n} on bicubic LR and {real["sr_correct"]}/{n} on the '
                  'shipped SR (`real_crops/readout.tsv`, `real_crops/sheet.png`).', '']
    if trend:
        lines += [f'Training from scratch: total loss {trend[1]:.4f} at iteration {trend[0]} -> {trend[3]:.4f} at '
                  f'iteration {trend[2]}.', '']
    lines += ['![LR | scratch SR | shipped SR | HR | shipped line map | shipped character maps](sheet.png)', '',
              f'Sheet columns: bicubic LR | GlyphSR after {args.iters} iterations | shipped GlyphSR | HR | shipped '
              'line map | shipped character maps (one colour per map); the first test images of each subset, easy to '
              'hard.', '']
    text = '\n'.join(lines)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return text


def main(argv=None) -> int:
    args = parse_args(argv)
    t0 = time.time()
    os.makedirs(args.work_dir, exist_ok=True)
    if not osp.isfile(SHIPPED_CHECKPOINT):
        raise SystemExit(f'the shipped model {SHIPPED_CHECKPOINT} is missing: the demo tests it '
                         '(checkpoints/README.md)')
    step('1/7 environment')
    from glyphsr_mm.cli.collect_env import main as env_report
    if env_report() != 0:
        return 1
    step('2/7 synthetic TextZoom')
    data = make_data(args)
    print(f'data: {data}')
    step('3/7 glyph masks')
    masks, mask_env = glyph_masks(args, data)
    step("4/7 the shipped GlyphSR: Table 1 with the shipped evaluators (TextZoom's and MMOCR's CRNN)")
    shipped_work = osp.join(args.work_dir, 'shipped')
    table1 = test('shipped GlyphSR, Table 1', TABLE1_CONFIG, SHIPPED_CHECKPOINT, osp.join(shipped_work, 'table1'),
                  data)
    from glyphsr_mm.evaluation.results_table import markdown_table as table1_markdown
    print(table1_markdown(table1))
    step('5/7 the shipped GlyphSR: rapidocr on the test set and the real word crops, PSNR, SSIM')
    metrics = {'shipped': test('shipped GlyphSR', SHIPPED_CONFIG, SHIPPED_CHECKPOINT, shipped_work, data)}
    real = shipped_readout(shipped_work)
    step(f'6/7 train GlyphSR from scratch ({args.iters} iterations, batch {args.batch_size}) and test it')
    scratch_work = osp.join(args.work_dir, 'glyphsr')
    scratch = train(args, 'GlyphSR', SCRATCH_CONFIG, scratch_work, data, env=mask_env)
    metrics['scratch'] = test('GlyphSR', SCRATCH_CONFIG, scratch, scratch_work, data)
    step('7/7 report')
    image_sheet(data, {'shipped': (SHIPPED_CONFIG, SHIPPED_CHECKPOINT), 'scratch': (SCRATCH_CONFIG, scratch)},
                osp.join(args.work_dir, 'sheet.png'))
    text = report(args, metrics, real, loss_trend(scratch_work), (time.time() - t0) / 60,
                  osp.join(args.work_dir, 'report.md'), masks, table1)
    print(text)
    print(f'report: {osp.join(args.work_dir, "report.md")}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
