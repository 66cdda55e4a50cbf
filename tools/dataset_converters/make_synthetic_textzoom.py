"""Write a synthetic TextZoom: LMDBs in TextZoom's exact format plus exact per-character glyph masks and boxes.

    python tools/dataset_converters/make_synthetic_textzoom.py OUT_DIR --num-train N --num-test N --seed S
        [--workers W]

Layout: OUT_DIR/train, OUT_DIR/test/{easy,medium,hard}. Besides TextZoom's keys each record has
``glyph-%09d`` (L x 32 x 128 bit-packed, zlib) and ``boxes-%09d`` (JSON [x0, y0, x1, y1] per character), which
``TextZoomDataset`` ignores and the glyph tools read. Test splits differ by degradation strength; training
samples draw their strength from the three splits. Sample i of a split depends only on (seed, split, i), so the
output is the same for any number of workers. A finished split (its ``num-samples`` equals the request) is
skipped on a rerun.
"""
import argparse
import os
import sys
from multiprocessing import get_context
from typing import Iterator, Tuple

import numpy as np
from tqdm import tqdm

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from glyphsr_mm.datasets import TextZoomLMDB, TextZoomLMDBWriter, encode_png  # noqa: E402
from glyphsr_mm.datasets.synthetic_text import (BOXES_PREFIX, GLYPH_PREFIX, SyntheticTextRenderer,  # noqa: E402
                                                encode_boxes, encode_masks)

SPLITS = {'train': None, 'test/easy': 'easy', 'test/medium': 'medium', 'test/hard': 'hard'}
_RENDERER = None


def _split_id(split: str) -> int:
    return list(SPLITS).index(split)


def render_record(job: Tuple[int, str, int]) -> Tuple[str, bytes, bytes, bytes, bytes]:
    """Render sample ``index`` of ``split``: (label, lr png, hr png, masks, boxes)."""
    global _RENDERER
    if _RENDERER is None:
        _RENDERER = SyntheticTextRenderer()
    seed, split, index = job
    rng = np.random.default_rng([seed, _split_id(split), index])
    difficulty = SPLITS[split] or ('easy', 'medium', 'hard')[int(rng.integers(3))]
    s = _RENDERER.render(rng, difficulty)
    return s.label, encode_png(s.lr), encode_png(s.hr), encode_masks(s.char_masks), encode_boxes(s.boxes)


def _done(path: str, n: int) -> bool:
    try:
        return len(TextZoomLMDB(path)) == n
    except Exception:
        return False


def generate(out_dir: str, num_train: int, num_test: int, seed: int = 0, workers: int = 1) -> dict:
    """Write all splits; returns ``{split: n}``."""
    sizes = {'train': num_train, **{k: num_test for k in SPLITS if k != 'train'}}
    pool = get_context('fork').Pool(workers) if workers > 1 else None
    try:
        for split, n in sizes.items():
            path = os.path.join(out_dir, split)
            if n <= 0:
                continue
            if _done(path, n):
                print(f'{path}: already has {n} samples, skipped')
                continue
            if os.path.exists(path):  # partial (killed) run: start the split again
                TextZoomLMDB(path).close()
                for f in ('data.mdb', 'lock.mdb'):
                    if os.path.exists(os.path.join(path, f)):
                        os.remove(os.path.join(path, f))
            jobs: Iterator = ((seed, split, i) for i in range(1, n + 1))
            results = pool.imap(render_record, jobs, chunksize=64) if pool else map(render_record, jobs)
            with TextZoomLMDBWriter(path) as w:
                for label, lr, hr, masks, boxes in tqdm(results, total=n, desc=f'synthetic {split}', unit='pair'):
                    w.add(label, lr=lr, hr=hr, extra={GLYPH_PREFIX: masks, BOXES_PREFIX: boxes})
    finally:
        if pool:
            pool.close()
            pool.join()
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out_dir')
    parser.add_argument('--num-train', type=int, default=2000)
    parser.add_argument('--num-test', type=int, default=300, help='samples per test split (easy/medium/hard)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    sizes = generate(args.out_dir, args.num_train, args.num_test, args.seed, args.workers)
    print(f'synthetic TextZoom in {args.out_dir}: ' + ', '.join(f'{k} {v}' for k, v in sizes.items()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
