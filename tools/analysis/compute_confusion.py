"""Compute a 62x62 character matrix for the text focus loss from a trained recognizer on a TextZoom-format LMDB.

    python tools/analysis/compute_confusion.py --recognizer TBSRNTransformerRecognizer \
        --recognizer-args '{"width": 0.125, "num_heads": 8}' --checkpoint CKPT.pth \
        --data data/synthetic_textzoom/test/hard --kind lr --out confusion.npy

Substitutions between aligned characters of prediction and label (difflib alignment, case kept) are counted,
turned into symmetric rates r, and written in the layout of TBSRN's matrix (rows/columns ``0-9 A-Z a-z``,
larger = less confusable, zero diagonal): ``d = 1 / (1 + r / mean(r > 0))`` off the diagonal. It then loads
with :func:`glyphsr_mm.models.losses.confusion_ce.confusion_weight_table` like the released one.
"""
import argparse
import difflib
import json
import os.path as osp
import sys

import cv2
import numpy as np
import torch
from tqdm import tqdm

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from glyphsr_mm.datasets.textzoom_lmdb import TextZoomLMDB  # noqa: E402
from glyphsr_mm.models import recognizers  # noqa: E402

ORDER = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'


def count_substitutions(pairs) -> np.ndarray:
    """62x62 counts of (label char, predicted char) substitutions over (prediction, label) pairs."""
    idx = {c: i for i, c in enumerate(ORDER)}
    counts = np.zeros((62, 62))
    for pred, gt in pairs:
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=gt, b=pred, autojunk=False).get_opcodes():
            if op == 'replace' and i2 - i1 == j2 - j1:
                for g, p in zip(gt[i1:i2], pred[j1:j2]):
                    if g in idx and p in idx:
                        counts[idx[g], idx[p]] += 1
    return counts


def counts_to_matrix(counts: np.ndarray) -> np.ndarray:
    totals = counts.sum(1, keepdims=True) + 1e-9
    rates = counts / totals
    rates = (rates + rates.T) / 2
    np.fill_diagonal(rates, 0)
    scale = rates[rates > 0].mean() if (rates > 0).any() else 1.0
    d = 1.0 / (1.0 + rates / scale)
    np.fill_diagonal(d, 0)
    return d


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--recognizer', required=True, help='class name in glyphsr_mm.models.recognizers')
    p.add_argument('--recognizer-args', default='{}', help='JSON keyword arguments')
    p.add_argument('--checkpoint', help='recognizer weights (omit for recognizers that ship theirs)')
    p.add_argument('--data', required=True, nargs='+', help='TextZoom-format LMDB folders')
    p.add_argument('--kind', default='lr', choices=['lr', 'hr'], help='which images to read')
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--out', required=True, help='output .npy (62 x 62)')
    args = p.parse_args()
    cls = getattr(recognizers, args.recognizer)
    kwargs = json.loads(args.recognizer_args)
    if args.checkpoint:
        kwargs['checkpoint'] = args.checkpoint
    rec = cls(**kwargs).eval()
    pairs = []
    for path in args.data:
        db = TextZoomLMDB(path)
        for start in tqdm(range(1, len(db) + 1, args.batch_size), desc=osp.basename(path), unit='batch'):
            idx = range(start, min(start + args.batch_size, len(db) + 1))
            imgs = [db.read_image(args.kind, i) for i in idx]
            h, w = imgs[0].shape[:2]  # stored sizes may vary; the recognizer resizes to its own input anyway
            batch = torch.stack([torch.from_numpy(cv2.resize(im, (w, h))).permute(2, 0, 1) for im in imgs]) / 255.0
            preds = rec.predict(batch)
            pairs += [(pr, db.read_label(i)) for pr, i in zip(preds, idx)]
    counts = count_substitutions(pairs)
    np.save(args.out, counts_to_matrix(counts))
    print(f'{len(pairs)} words, {int(counts.sum())} substitutions -> {args.out}')


if __name__ == '__main__':
    main()
