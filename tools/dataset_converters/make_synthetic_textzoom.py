"""Write a synthetic TextZoom: LMDBs in TextZoom's exact format plus exact per-character glyph masks and boxes.

    python tools/dataset_converters/make_synthetic_textzoom.py OUT_DIR --num-train N --num-test N --seed S
        [--workers W] [--fonts pinned|system|pinned+system|DIR|a.ttf,b.ttf] [--scene] [--clean-fraction F]
        [--words sr|evaluator] [--hr-effects]

Fonts: by default the fixed set of faces from pinned PyPI packages (``PINNED_FONTS`` in
``glyphsr_mm/datasets/synthetic_text.py``), so that a seed gives byte-identical data on every machine with the
project's set-up; ``--fonts system`` uses the machine's own fonts instead (not reproducible elsewhere).
``--scene`` adds curved and rotated words, cut-off neighbouring lines, shadows and outlines (``SCENE_EFFECTS``),
which real crops show and the plain set lacks. ``--clean-fraction F`` gives that share of the training pairs the
near-clean ``'clean'`` degradation (light blur, little noise, mild JPEG): the look of a sharp photograph down-scaled
with an anti-aliasing filter; the test splits keep their strengths.

Evaluator training sets (the recognizers that judge SR output): ``--words evaluator`` draws words from a list
disjoint from the SR sets' (``evaluator_word_list``) and ``--hr-effects`` blurs, resamples, adds noise and JPEG to
the HR images (``HR_EFFECTS``), as Synth90k does; use a seed that no SR set uses.

Layout: OUT_DIR/train, OUT_DIR/test/{easy,medium,hard}. Besides TextZoom's keys each record has
``glyph-%09d`` (L x 32 x 128 bit-packed, zlib) and ``boxes-%09d`` (JSON [x0, y0, x1, y1] per character), which
``TextZoomDataset`` ignores and the glyph tools read. Test splits differ by degradation strength; training
samples draw their strength from the three splits. Sample i of a split depends only on (seed, split, i), so the
output is the same for any number of workers. A finished split (its ``num-samples`` equals the request) is
skipped on a rerun.
"""
import argparse
import hashlib
import json
import os
import sys
from multiprocessing import get_context
from typing import Iterator, Tuple

import numpy as np
from tqdm import tqdm

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from glyphsr_mm.datasets import TextZoomLMDB, TextZoomLMDBWriter, encode_png  # noqa: E402
from glyphsr_mm.datasets.mask_codec import BOXES_PREFIX, GLYPH_PREFIX, encode_boxes, encode_masks  # noqa: E402
from glyphsr_mm.datasets.synthetic_text import (SyntheticTextRenderer, evaluator_word_list, hr_effects,  # noqa: E402
                                                resolve_fonts)

SPLITS = {'train': None, 'test/easy': 'easy', 'test/medium': 'medium', 'test/hard': 'hard'}
_RENDERER = None
_FONTS = None  # font files of this run (set before the worker pool forks)
_SCENE = False  # scene effects on (set before the worker pool forks)
_CLEAN_FRACTION = 0.0  # share of training pairs with the 'clean' degradation (set before the fork)
_WORDS = 'sr'  # word list: 'sr' (the SR sets') or 'evaluator' (disjoint from it)
_HR_EFFECTS = False  # blur / resample / noise / JPEG on the HR images (evaluator training sets)


def _split_id(split: str) -> int:
    return list(SPLITS).index(split)


def render_record(job: Tuple[int, str, int]) -> Tuple[str, bytes, bytes, bytes, bytes]:
    """Render sample ``index`` of ``split``: (label, lr png, hr png, masks, boxes)."""
    global _RENDERER
    if _RENDERER is None:
        words = evaluator_word_list() if _WORDS == 'evaluator' else None
        _RENDERER = SyntheticTextRenderer(fonts=_FONTS or resolve_fonts('pinned'), words=words, scene=_SCENE)
    seed, split, index = job
    rng = np.random.default_rng([seed, _split_id(split), index])
    difficulty = SPLITS[split]
    if difficulty is None:
        # No draw at fraction 0, so that a seed's bytes do not depend on the option's existence.
        clean = _CLEAN_FRACTION > 0 and rng.random() < _CLEAN_FRACTION
        difficulty = 'clean' if clean else ('easy', 'medium', 'hard')[int(rng.integers(3))]
    s = _RENDERER.render(rng, difficulty)
    hr = hr_effects(s.hr, rng) if _HR_EFFECTS else s.hr
    return s.label, encode_png(s.lr), encode_png(hr), encode_masks(s.char_masks), encode_boxes(s.boxes)


def _configure(fonts: str, scene: bool, clean_fraction: float, words: str = 'sr', hr_effects_on: bool = False) -> None:
    """Set the module state the (forked) workers render with."""
    global _FONTS, _RENDERER, _SCENE, _CLEAN_FRACTION, _WORDS, _HR_EFFECTS
    if not 0.0 <= clean_fraction <= 1.0:
        raise ValueError(f'clean_fraction must be in [0, 1], got {clean_fraction}')
    if words not in ('sr', 'evaluator'):
        raise ValueError(f"words must be 'sr' or 'evaluator', got {words!r}")
    _FONTS, _RENDERER, _SCENE, _CLEAN_FRACTION = resolve_fonts(fonts), None, scene, clean_fraction
    _WORDS, _HR_EFFECTS = words, hr_effects_on


def record_checksums(seed: int = 0, num: int = 32, fonts: str = 'pinned', scene: bool = False,
                     clean_fraction: float = 0.0) -> dict:
    """SHA-256 of the first ``num`` records of each split for ``seed`` (label, LR, HR, masks, boxes bytes) and of
    each font file: what ``tests/data/synthetic_checksums.json`` pins."""
    _configure(fonts, scene, clean_fraction)
    splits = {}
    for split in SPLITS:
        h = hashlib.sha256()
        for i in range(1, num + 1):
            for part in render_record((seed, split, i)):
                h.update(part.encode() if isinstance(part, str) else part)
        splits[split] = h.hexdigest()
    font_hashes = {os.path.basename(f): hashlib.sha256(open(f, 'rb').read()).hexdigest() for f in _FONTS}
    return dict(seed=seed, records=num, splits=splits, fonts=font_hashes)


def _done(path: str, n: int) -> bool:
    try:
        return len(TextZoomLMDB(path)) == n
    except Exception:
        return False


def generate(out_dir: str, num_train: int, num_test: int, seed: int = 0, workers: int = 1,
             fonts: str = 'pinned', scene: bool = False, clean_fraction: float = 0.0, words: str = 'sr',
             hr_effects_on: bool = False) -> dict:
    """Write all splits; returns ``{split: n}``."""
    _configure(fonts, scene, clean_fraction, words, hr_effects_on)
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
    parser.add_argument('out_dir', nargs='?')
    parser.add_argument('--num-train', type=int, default=2000)
    parser.add_argument('--num-test', type=int, default=300, help='samples per test split (easy/medium/hard)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--fonts', default='pinned',
                        help="'pinned' (default: the fixed set installed by the set-up), 'system', 'pinned+system', "
                             'a folder of .ttf/.otf files, or a comma-separated list of font files')
    parser.add_argument('--scene', action='store_true',
                        help='add scene effects: curved and rotated words, cut-off neighbouring lines, shadows, '
                             'outlines (SCENE_EFFECTS in glyphsr_mm/datasets/synthetic_text.py)')
    parser.add_argument('--clean-fraction', type=float, default=0.0, metavar='F',
                        help="share of training pairs degraded with the near-clean 'clean' strength (light blur, "
                             'little noise, mild JPEG) instead of easy/medium/hard; default 0')
    parser.add_argument('--words', choices=('sr', 'evaluator'), default='sr',
                        help="word list: 'sr' (default, the SR sets') or 'evaluator' (disjoint from it, for training "
                             'the recognizers that judge SR output)')
    parser.add_argument('--hr-effects', action='store_true',
                        help='blur, resample, noise and JPEG on the HR images (HR_EFFECTS; evaluator training sets)')
    parser.add_argument('--checksums', type=int, metavar='N',
                        help='print the SHA-256 of the first N records of each split (and of the fonts) as JSON '
                             'instead of writing data (tests/data/synthetic_checksums.json holds N=32, seed 0)')
    args = parser.parse_args()
    if not 0.0 <= args.clean_fraction <= 1.0:
        parser.error(f'--clean-fraction must be in [0, 1], got {args.clean_fraction}')
    if args.checksums:
        print(json.dumps(record_checksums(args.seed, args.checksums, args.fonts, args.scene, args.clean_fraction),
                         indent=1))
        return 0
    if not args.out_dir:
        parser.error('out_dir is required (unless --checksums)')
    sizes = generate(args.out_dir, args.num_train, args.num_test, args.seed, args.workers, args.fonts, args.scene,
                     args.clean_fraction, args.words, args.hr_effects)
    print(f'synthetic TextZoom in {args.out_dir}: ' + ', '.join(f'{k} {v}' for k, v in sizes.items()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
