"""Learning curves from MMEngine work dirs: the validation metrics logged every ``val_interval`` iterations
(``<work_dir>/<timestamp>/vis_data/scalars.json``, all timestamps of a resumed run) as a PNG (matplotlib) and a
markdown table. The logger interval must divide the validation interval (each validation row is placed at the
iteration of the training row before it).

    python tools/analysis/plot_learning_curves.py NAME=WORK_DIR [NAME=WORK_DIR ...] --out docs/curves.png
        [--table docs/curves.md] [--metrics rapidocr/average/word_acc PSNR] [--reference rapidocr=44.7]

``--reference NAME=VALUE`` draws a horizontal line (e.g. bicubic's accuracy) on the panel of the metric whose
name starts with NAME.

Work dirs given under the same NAME are seeds of one method: the plot draws each seed thin and their mean bold in
one colour, and the table gives, per iteration, the mean ± sample standard deviation over the seeds that reached
it (the ``seeds`` column counts them).
"""
import argparse
import os
import os.path as osp
import sys
from typing import Dict, List

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from glyphsr_mm.utils.markdown import markdown_table  # noqa: E402
from glyphsr_mm.utils.run_logs import scalar_logs  # noqa: E402

DEFAULT_METRICS = ('rapidocr/average/word_acc', 'easyocr/average/word_acc', 'PSNR', 'SSIM')


def read_validation(work_dir: str) -> Dict[int, Dict[str, float]]:
    """Validation rows by iteration; a later log of the same iteration (a resumed run) wins."""
    logs = scalar_logs(work_dir)
    if not logs:
        raise FileNotFoundError(f'{work_dir}: no */vis_data/scalars.json (not an MMEngine work dir?)')
    rows: Dict[int, Dict[str, float]] = {}
    for log in logs:
        last_train = 0
        for row in log:
            if 'loss' in row:
                last_train = int(row['step'])
            else:  # a validation row: its 'step' is the epoch unless log_metric_by_epoch=False, so take the
                rows[last_train] = row  # iteration of the training row logged just before it
    return dict(sorted(rows.items()))


def seed_mean(seeds: List[Dict[int, Dict[str, float]]], metric: str) -> Dict[int, tuple]:
    """Per iteration: (mean, sample std or None, number of seeds) of ``metric`` over the seeds that logged it."""
    out = {}
    for it in sorted({it for rows in seeds for it in rows}):
        values = [rows[it][metric] for rows in seeds if it in rows and metric in rows[it]]
        if values:
            out[it] = (float(np.mean(values)), float(np.std(values, ddof=1)) if len(values) > 1 else None, len(values))
    return out


def curve_table(runs: Dict[str, List[Dict[int, Dict[str, float]]]], metrics: List[str]) -> List[str]:
    """Markdown rows: one per method and iteration; cells are mean ± std over seeds (a single value for one)."""
    def cell(mean: float, std: float = None) -> str:
        digits = 4 if abs(mean) < 1 else 2  # SSIM needs more digits; the std gets its mean's
        return f'{mean:.{digits}f}' + (f' ± {std:.{digits}f}' if std is not None else '')

    with_seeds = any(len(seeds) > 1 for seeds in runs.values())
    body = []
    for name, seeds in runs.items():
        per_metric = {m: seed_mean(seeds, m) for m in metrics}
        for it in sorted({it for rows in seeds for it in rows}):
            cells, n = [], 0
            for m in metrics:
                if it not in per_metric[m]:
                    cells.append('—')
                    continue
                mean, std, n = per_metric[m][it]
                cells.append(cell(mean, std))
            body.append([name, str(it)] + ([str(n)] if with_seeds else []) + cells)
    return markdown_table(['run', 'iteration'] + (['seeds'] if with_seeds else []) + metrics, body)


def main(argv: List[str] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('runs', nargs='+', metavar='NAME=WORK_DIR')
    p.add_argument('--out', required=True, help='PNG path')
    p.add_argument('--table', default=None, help='also write the markdown table here')
    p.add_argument('--metrics', nargs='+', default=list(DEFAULT_METRICS))
    p.add_argument('--reference', nargs='*', default=[], metavar='NAME=VALUE')
    args = p.parse_args(argv)
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    runs: Dict[str, List[Dict[int, Dict[str, float]]]] = {}
    for item in args.runs:
        name, sep, work = item.partition('=')
        if not sep:
            p.error(f'expected NAME=WORK_DIR, got {item!r}')
        runs.setdefault(name, []).append(read_validation(work))
    refs = {}
    for item in args.reference:
        key, _, value = item.partition('=')
        refs[key] = float(value)
    metrics = [m for m in args.metrics if any(m in row for seeds in runs.values() for rows in seeds
                                               for row in rows.values())]
    if not metrics:
        raise SystemExit(f'none of {args.metrics} is logged in the given work dirs')
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.4), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for colour, (name, seeds) in enumerate(runs.items()):
            mean = seed_mean(seeds, metric)
            if len(seeds) > 1:
                for rows in seeds:
                    pts = [(it, row[metric]) for it, row in rows.items() if metric in row]
                    if pts:
                        ax.plot(*zip(*pts), color=f'C{colour}', alpha=0.35, linewidth=0.8)
            if mean:
                label = f'{name} (mean of {len(seeds)} seeds)' if len(seeds) > 1 else name
                ax.plot(list(mean), [m for m, _, _ in mean.values()], marker='o', color=f'C{colour}', label=label)
        for key, value in refs.items():
            if metric.startswith(key):
                ax.axhline(value, color='gray', linestyle='--', label=f'bicubic ({value:g})')
        ax.set_title(metric)
        ax.set_xlabel('iteration')
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f'wrote {args.out}')
    table = '\n'.join(curve_table(runs, metrics))
    print(table)
    if args.table:
        with open(args.table, 'w', encoding='utf-8') as f:
            f.write(table + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
