"""Helpers shared by the benchmarks: timing, the machine line, the synthetic data they run on."""
import os
import statistics
import subprocess
import sys
import time
from typing import Callable, List

import torch

from glyphsr_mm.cli import REPO_ROOT as ROOT
from glyphsr_mm.utils.machine import describe_machine as machine  # noqa: F401  (re-exported)


def timeit(fn: Callable[[], None], repeats: int, warmup: int = 3, device: str = 'cpu') -> float:
    """Median wall time of ``fn`` in ms."""
    def sync():
        if device.startswith('cuda'):
            torch.cuda.synchronize()
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        sync()
        times.append(1000 * (time.perf_counter() - t))
    return statistics.median(times)


def synthetic_train(args) -> str:
    """A synthetic TextZoom train LMDB (made once under --data-dir)."""
    root = os.path.join(args.data_dir, 'train')
    from glyphsr_mm.datasets import TextZoomLMDB
    try:
        if len(TextZoomLMDB(root)) >= args.num_pairs:
            return root
    except Exception:
        pass
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'dataset_converters', 'make_synthetic_textzoom.py'),
                    args.data_dir, '--num-train', str(args.num_pairs), '--num-test', '0', '--seed', '0'], check=True)
    return root


def resized_copy(root: str, out: str, lr_size=(20, 80), hr_size=(40, 160)) -> str:
    """A copy of ``root`` with images stored at other sizes (real TextZoom crops vary), made once."""
    import cv2

    from glyphsr_mm.datasets import TextZoomLMDB, TextZoomLMDBWriter
    db = TextZoomLMDB(root)
    try:
        if len(TextZoomLMDB(out)) == len(db):
            return out
    except Exception:
        pass
    with TextZoomLMDBWriter(out) as w:
        for i in range(1, len(db) + 1):
            imgs = db.read_images(i)
            w.add(db.read_label(i), lr=cv2.resize(imgs['lr'], lr_size[::-1], interpolation=cv2.INTER_CUBIC),
                  hr=cv2.resize(imgs['hr'], hr_size[::-1], interpolation=cv2.INTER_CUBIC))
    return out


def synthetic_test(args, per_subset: int) -> List[str]:
    """Synthetic TextZoom test LMDBs (easy/medium/hard, ``per_subset`` each), made once under --data-dir_eval."""
    root = args.data_dir.rstrip('/') + '_eval'
    roots = [os.path.join(root, 'test', s) for s in ('easy', 'medium', 'hard')]
    from glyphsr_mm.datasets import TextZoomLMDB
    try:
        if all(len(TextZoomLMDB(r)) == per_subset for r in roots):
            return roots
    except Exception:
        pass
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'dataset_converters', 'make_synthetic_textzoom.py'),
                    root, '--num-train', '0', '--num-test', str(per_subset), '--seed', '1'], check=True)
    return roots


def gem_samples(args, n: int):
    """``n`` synthetic test samples (HR, label, exact char masks, boxes), from the evaluation set."""
    from glyphsr_mm.datasets.mask_codec import boxes_key, decode_boxes
    from glyphsr_mm.datasets.textzoom_lmdb import TextZoomLMDB
    from glyphsr_mm.glyph.extraction import render_masks
    roots = synthetic_test(args, max(1, args.eval_images // 3))
    out = []
    for i in range(n):
        db, idx = TextZoomLMDB(roots[i % 3]), 1 + i // 3
        out.append((db.read_image('hr', idx), db.read_label(idx), render_masks((roots[i % 3], idx))[0],
                    decode_boxes(db.get(boxes_key(idx)))))
    return out


def gem_sam(args):
    from glyphsr_mm.glyph import build_sam
    torch.manual_seed(0)
    return build_sam(args.sam_model, args.sam_checkpoint, allow_random=args.sam_checkpoint is None).to(args.device)

