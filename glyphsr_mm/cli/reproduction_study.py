"""The paper's ablation (Table 2) reproduced on the synthetic TextZoom: Baseline1, Baseline2, w/o GFM and GlyphSR
trained on the same budget with several seeds, evaluated per subset with rapidocr (pretrained, offline) and
PSNR/SSIM, written as a markdown table.

    python tools/reproduction_study.py [--data data/synthetic_textzoom] [--work-dir work_dirs/study]
        [--iters 250] [--batch-size 16] [--seeds 0 1] [--methods baseline1 baseline2 wo_gfm glyphsr]
        [--out docs/reproduction.md]

Every method uses the `make demo` recipe (configs/demo/): the narrow CPU network with bicubic skip, EasyOCR
english_g2 as text prior, no text focus loss. Glyph pseudo labels: the synthetic set's exact masks ('render': the
oracle that GEM approximates) for w/o GFM and GlyphSR, the K-means line mask for Baseline2; with SAM_CHECKPOINT set,
also GlyphSR on SAM GEM masks (`glyphsr_gem`: tools/extract_glyphs.py runs once over the training set, cached).
Each run tests its final checkpoint (no model selection on the test set). Finished runs are reused and an
interrupted training resumes, so the study can be stopped and restarted at any point (or extended by seeds).
"""
import argparse
import os
import os.path as osp
import statistics
import sys
import time
from typing import Dict, List, Optional, Sequence

from glyphsr_mm.cli import REPO_ROOT as ROOT
from glyphsr_mm.cli.demo_main import SUBSETS, glyph_masks, run_logged, test, train
from glyphsr_mm.utils.machine import describe_machine
from glyphsr_mm.utils.markdown import markdown_table

# name, config, GPM, GFM, pseudo labels (the columns of the paper's Table 2)
METHODS = {
    'baseline1': ('Baseline1', 'configs/demo/baseline1_demo_synthetic.py', '', '', '—'),
    'baseline2': ('Baseline2', 'configs/demo/baseline2_demo_synthetic.py', '✓', '✓', 'K-means line'),
    'wo_gfm': ('w/o GFM', 'configs/demo/wo_gfm_demo_synthetic.py', '✓', '', 'render line + char'),
    'glyphsr': ('GlyphSR', 'configs/demo/glyphsr_demo_synthetic.py', '✓', '✓', 'render line + char'),
    # the paper's pseudo labels: needs SAM_CHECKPOINT (GEM runs over the training set once, cached)
    'glyphsr_gem': ('GlyphSR (GEM masks)', 'configs/demo/glyphsr_demo_synthetic.py', '✓', '✓', 'SAM GEM line + char'),
}
REC = 'rapidocr'
COLS = (*SUBSETS, 'average')


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default=osp.join(ROOT, 'data', 'synthetic_textzoom'),
                   help='synthetic TextZoom root (made with --num-train/--num-test when missing)')
    p.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs', 'study'))
    p.add_argument('--iters', type=int, default=250, help='training iterations per run (the same for every method)')
    p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    p.add_argument('--methods', nargs='+', choices=list(METHODS),
                   help='default: all but glyphsr_gem, plus glyphsr_gem when SAM_CHECKPOINT is set')
    p.add_argument('--num-train', type=int, default=20000)
    p.add_argument('--num-test', type=int, default=500, help='test images per subset')
    p.add_argument('--out', default=osp.join(ROOT, 'docs', 'reproduction.md'))
    return p.parse_args(argv)


def ensure_data(args) -> None:
    if osp.isdir(osp.join(args.data, 'train')):
        return
    os.makedirs(args.work_dir, exist_ok=True)
    run_logged([sys.executable, 'tools/dataset_converters/make_synthetic_textzoom.py', args.data, '--num-train',
                str(args.num_train), '--num-test', str(args.num_test), '--seed', '0', '--workers', '2'],
               osp.join(args.work_dir, 'make_data.log'), show=('synthetic TextZoom in', 'Error'))


def run(args, method: str, seed: int, reference: bool, env: Optional[Dict[str, str]] = None) -> Dict[str, float]:
    """Train (or reuse) one method with one seed and test its final checkpoint; returns the test metrics plus
    ``minutes`` of training. ``reference`` also evaluates the bicubic LR and HR rows (the same for every run)."""
    name, config = METHODS[method][:2]
    work = osp.join(args.work_dir, f'{method}_seed{seed}')
    run_args = argparse.Namespace(iters=args.iters, batch_size=args.batch_size, seed=seed)
    timing = osp.join(work, 'train_minutes.txt')
    t = time.time()
    # no validation: every run is judged on its final checkpoint, so the test set picks nothing
    ckpt = train(run_args, f'{name} seed {seed}', config, work, args.data,
                 ['val_cfg=None', 'val_dataloader=None', 'val_evaluator=None'], env)
    if not osp.isfile(timing):
        with open(timing, 'w') as f:
            f.write(f'{(time.time() - t) / 60:.2f}\n')
    rows = '[LR,SR,HR]' if reference else '[SR]'
    metrics = dict(test(f'{name} seed {seed}', config, ckpt, work, args.data,
                        [f'test_evaluator.metrics.0.rows={rows}']))
    with open(timing) as f:
        metrics['minutes'] = float(f.read())
    return metrics


def mean_std(values: Sequence[float], digits: int) -> str:
    m = statistics.fmean(values)
    if len(values) < 2:
        return f'{m:.{digits}f}'
    return f'{m:.{digits}f} ± {statistics.stdev(values):.{digits}f}'


def table(results: Dict[str, Dict[int, Dict[str, float]]], reference: Dict[str, float]) -> List[str]:
    """Table 2 layout: method | GPM | GFM | pseudo labels | easy | medium | hard | average | PSNR | SSIM, each cell
    the mean ± sample standard deviation over seeds."""
    body = [['bicubic LR', '', '', ''] + [f'{reference[f"{REC}/{c}/word_acc_LR"]:.1f}' for c in COLS] + ['—', '—']]
    for method, by_seed in results.items():
        name, _, gpm, gfm, labels = METHODS[method]
        runs = list(by_seed.values())
        cells = [mean_std([m[f'{REC}/{c}/word_acc'] for m in runs], 1) for c in COLS]
        cells += [mean_std([m['PSNR'] for m in runs], 2), mean_std([m['SSIM'] for m in runs], 4)]
        body.append([name, gpm, gfm, labels] + cells)
    body.append(['HR', '', '', ''] + [f'{reference[f"{REC}/{c}/word_acc_HR"]:.1f}' for c in COLS] + ['—', '—'])
    return markdown_table(['method', 'GPM', 'GFM', 'pseudo labels', *COLS, 'PSNR', 'SSIM'], body,
                          'lccl' + 'r' * (len(COLS) + 2))


def per_seed(results: Dict[str, Dict[int, Dict[str, float]]]) -> List[str]:
    seeds = sorted({s for by_seed in results.values() for s in by_seed})
    body = [[METHODS[method][0]] + [(f'{m[f"{REC}/average/word_acc"]:.1f} / {m["PSNR"]:.2f} / {m["minutes"]:.1f}'
                                      if (m := by_seed.get(s)) else '—') for s in seeds]
            for method, by_seed in results.items()]
    return markdown_table(['method'] + [f'seed {s}: average / PSNR / training min' for s in seeds], body)


PAPER_ORDER = ('baseline1', 'baseline2', 'wo_gfm', 'glyphsr')


def average_accuracy(by_seed: Dict[int, Dict[str, float]]) -> Dict[int, float]:
    """A method's average word accuracy per seed."""
    return {s: m[f'{REC}/average/word_acc'] for s, m in by_seed.items()}


def ordering(results: Dict[str, Dict[int, Dict[str, float]]]) -> List[str]:
    """Whether the paper's ordering Baseline1 < Baseline2 < w/o GFM < GlyphSR (average accuracy) holds, by how
    much, and in how many seeds for each neighbouring pair."""
    present = [m for m in PAPER_ORDER if m in results]
    acc = {m: average_accuracy(results[m]) for m in present}
    lines = []
    for a, b in zip(present, present[1:]):
        seeds = sorted(set(acc[a]) & set(acc[b]))
        wins = sum(acc[b][s] > acc[a][s] for s in seeds)
        d = statistics.fmean(acc[b].values()) - statistics.fmean(acc[a].values())
        verdict = 'holds' if d > 0 and wins == len(seeds) else 'holds on the mean only' if d > 0 else 'does not hold'
        lines.append(f'- {METHODS[b][0]} vs {METHODS[a][0]}: {d:+.1f} points on the mean average accuracy; '
                     f'{METHODS[b][0]} is higher in {wins} of {len(seeds)} seeds: the paper\'s order {verdict}.')
    return lines


def versus_bicubic(results: Dict[str, Dict[int, Dict[str, float]]], reference: Dict[str, float]) -> List[str]:
    """Each method's average accuracy against the bicubic LR row (the same test images in every seed)."""
    lr = reference[f'{REC}/average/word_acc_LR']
    lines = []
    for method, by_seed in results.items():
        accs = list(average_accuracy(by_seed).values())
        wins = sum(a > lr for a in accs)
        lines.append(f'- {METHODS[method][0]}: {statistics.fmean(accs) - lr:+.1f} points over bicubic LR '
                     f'({lr:.1f}); higher in {wins} of {len(accs)} seeds.')
    return lines


def report(args, results, reference, minutes: float) -> str:
    n_test = count_images(args.data)
    train_minutes = sum(m['minutes'] for by_seed in results.values() for m in by_seed.values())
    lines = ['# Reproduction study: the paper\'s ablation (Table 2) on the synthetic TextZoom', '',
             'Written by `tools/reproduction_study.py`. Command:', '',
             f'    {args.command}', '',
             f'Data: the synthetic TextZoom in `{osp.relpath(args.data, ROOT)}` '
             f'({n_test["train"]} training pairs; test {n_test["easy"]} / {n_test["medium"]} / {n_test["hard"]} '
             'images easy / medium / hard). Every method is trained with the `make demo` recipe (configs/demo/: '
             f'32-channel, 3-block network with bicubic skip, EasyOCR english_g2 text prior, no text focus loss) for '
             f'{args.iters} iterations at batch {args.batch_size} on {describe_machine()}, seeds {args.seeds}; its final '
             'checkpoint is tested (no model selection). Accuracy: rapidocr (pretrained PP-OCR, offline) word '
             'accuracy in %, lower-cased alphanumerics; PSNR (dB) / SSIM on RGB, SR vs HR. Cells: mean ± sample '
             f'standard deviation over seeds. Training: {train_minutes:.0f} min in all (wall time); this '
             f'invocation took {minutes:.0f} min (finished runs are reused).', '',
             *table(results, reference), '',
             'Per seed (training minutes are wall time and include whatever else ran on the machine):', '',
             *per_seed(results), '',
             'The paper\'s ordering (average accuracy):', '', *ordering(results), '',
             'Against bicubic LR (average accuracy):', '', *versus_bicubic(results, reference), '']
    return '\n'.join(lines)


def count_images(data: str) -> Dict[str, int]:
    from glyphsr_mm.datasets import TextZoomLMDB
    out = {'train': len(TextZoomLMDB(osp.join(data, 'train')))}
    out.update({s: len(TextZoomLMDB(osp.join(data, 'test', s))) for s in SUBSETS})
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    args.command = ' '.join(['python tools/reproduction_study.py', *(sys.argv[1:] if argv is None else argv)])
    args.data = osp.abspath(args.data)
    sam = bool(os.environ.get('SAM_CHECKPOINT'))
    if args.methods is None:
        args.methods = [m for m in METHODS if m != 'glyphsr_gem' or sam]
    if 'glyphsr_gem' in args.methods and not sam:
        raise SystemExit('glyphsr_gem trains on SAM GEM masks: set SAM_CHECKPOINT=<sam_vit_b_01ec64.pth> (and '
                         'TBSRN_TRANSFORMER if its recognizer is not in the default place; see tools/demo_main.py)')
    t0 = time.time()
    ensure_data(args)
    # GEM over the training set, once (cached and resumable), for glyphsr_gem only
    gem = glyph_masks(argparse.Namespace(work_dir=args.work_dir), args.data)[1] if 'glyphsr_gem' in args.methods \
        else {}
    results: Dict[str, Dict[int, Dict[str, float]]] = {m: {} for m in args.methods}
    reference = None
    for seed in args.seeds:
        for method in args.methods:
            print(f'\n== {METHODS[method][0]}, seed {seed} ==', flush=True)
            results[method][seed] = run(args, method, seed, reference is None,
                                        gem if method == 'glyphsr_gem' else None)
            reference = reference or results[method][seed]
    text = report(args, results, reference, (time.time() - t0) / 60)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w', encoding='utf-8') as f:
        f.write(text)
    print(text)
    print(f'written: {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
