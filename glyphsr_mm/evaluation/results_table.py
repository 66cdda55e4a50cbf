"""The paper's Table 1 from a test run's metrics: rows LR / SR / HR per recognizer, columns per subset.

Reads the keys written by :class:`~glyphsr_mm.evaluation.metrics.TextRecognitionAccuracy`
(``CRNN/easy/word_acc``, ``CRNN/average/word_acc_LR``, ...) and MMagic's ``PSNR``/``SSIM``. No MMagic import.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Optional

from glyphsr_mm.utils.markdown import markdown_table as table_lines

ROW_LABELS = OrderedDict([('LR', 'LR (bicubic)'), ('SR', 'SR'), ('HR', 'HR')])
# Columns after the subsets: the plain mean of the subsets (the paper's Table 1 average) and the sample-weighted one.
AVERAGES = OrderedDict([('average', 'average (mean of subsets)'), ('weighted', 'weighted (by subset size)')])
_KEY = re.compile(r'^(?P<rec>[^/]+)/(?P<subset>[^/]+)/word_acc(?P<row>_LR|_HR)?$')


def gap_closed(lr: Optional[float], sr: Optional[float], hr: Optional[float]) -> Optional[float]:
    """Share (percent) of the bicubic-to-HR accuracy gap that SR closes: 100 (SR - LR) / (HR - LR); None when a
    value is missing or HR does not read more than bicubic (no gap to close)."""
    if lr is None or sr is None or hr is None or hr <= lr:
        return None
    return 100.0 * (sr - lr) / (hr - lr)


def table_rows(metrics: Dict[str, float]) -> List[dict]:
    """One dict per (recognizer, row): ``recognizer``, ``row``, one entry per subset, ``average``; ``PSNR`` and
    ``SSIM`` on SR rows when present; ``gap closed`` (:func:`gap_closed` of the averages) on SR rows when the LR
    and HR rows are there. Recognizers, subsets and rows keep the metric's order; with several
    recognizers a ``mean`` recognizer (the plain mean over recognizers, per column) is appended."""
    cells: 'OrderedDict[tuple, OrderedDict]' = OrderedDict()
    subsets: List[str] = []
    for key, value in metrics.items():
        m = _KEY.match(key)
        if not m:
            continue
        row = (m['row'] or '_SR')[1:]
        cells.setdefault((m['rec'], row), OrderedDict())[m['subset']] = float(value)
        if m['subset'] not in AVERAGES and m['subset'] not in subsets:
            subsets.append(m['subset'])
    recs = list(OrderedDict.fromkeys(rec for rec, _ in cells))
    rows_present = [r for r in ROW_LABELS if any(row == r for _, row in cells)]
    out = []
    for rec in recs:
        for row in rows_present:
            if (rec, row) in cells:
                out.append(dict(recognizer=rec, row=row, **{s: cells[(rec, row)].get(s) for s in subsets},
                                **{a: cells[(rec, row)].get(a) for a in AVERAGES}))
    if len(recs) > 1:
        for row in rows_present:
            mine = [r for r in out if r['row'] == row]
            mean = {c: (sum(r[c] for r in mine) / len(mine) if all(r[c] is not None for r in mine) else None)
                    for c in subsets + list(AVERAGES)}
            out.append(dict(recognizer='mean', row=row, **mean))
    by_key = {(r['recognizer'], r['row']): r for r in out}
    for r in out:
        if r['row'] == 'SR':
            lr, hr = by_key.get((r['recognizer'], 'LR')), by_key.get((r['recognizer'], 'HR'))
            if lr is not None and hr is not None:
                r['gap closed'] = gap_closed(lr['average'], r['average'], hr['average'])
            for k in ('PSNR', 'SSIM'):
                if k in metrics:
                    r[k] = float(metrics[k])
    return out


def _fmt(value: Optional[float], digits: int) -> str:
    return '—' if value is None else f'{value:.{digits}f}'


def markdown_table(metrics: Dict[str, float], title: Optional[str] = None) -> str:
    """Table 1 as markdown: word accuracy in percent per subset, their plain mean (the paper's average) and the
    sample-weighted average; on the SR rows the share of the bicubic-to-HR gap closed (percent, of the plain
    averages) and PSNR (dB) / SSIM (MMagic's metrics, mean over the test images)."""
    rows = table_rows(metrics)
    if not rows:
        raise ValueError('no word-accuracy metrics (keys like CRNN/easy/word_acc) in the results: was '
                         'TextRecognitionAccuracy in the test_evaluator?')
    fixed = ('recognizer', 'row', 'PSNR', 'SSIM', 'gap closed', *AVERAGES)
    subsets = [k for k in rows[0] if k not in fixed]
    averages = [a for a in AVERAGES if any(r.get(a) is not None for r in rows)]
    if len(subsets) <= 1:  # one subset: both averages equal it
        averages = averages[:1]
    quality = [k for k in ('PSNR', 'SSIM') if any(k in r for r in rows)]
    gap = ['gap closed'] if any('gap closed' in r for r in rows) else []
    head = ['recognizer', 'images'] + subsets + [AVERAGES[a] if len(averages) > 1 else 'average' for a in averages]
    head += [f'{g} (%)' for g in gap] + quality
    body = []
    for r in rows:
        vals = [r['recognizer'], ROW_LABELS[r['row']]] + [_fmt(r[s], 1) for s in subsets]
        vals += [_fmt(r.get(a), 1) for a in averages]
        vals += ['' if r['row'] != 'SR' else _fmt(r.get(g), 1) for g in gap]
        vals += [_fmt(r.get('PSNR'), 2) if k == 'PSNR' else _fmt(r.get('SSIM'), 4) for k in quality]
        body.append(vals)
    lines = [f'### {title}\n'] if title else []
    lines += table_lines(head, body, 'll' + 'r' * (len(head) - 2))
    return '\n'.join(lines) + '\n'
