"""GEM over whole TextZoom-format datasets into a glyph-mask cache: batched, chunk-committed, resumable, sharded.

Used by ``tools/extract_glyphs.py``. Ranks (``torchrun``) take disjoint slices ``samples[rank::world]`` and write
``<out>.shards/rank<r>-of-<w>``; rank 0 merges them into ``<out>`` at the end. A rerun skips every sample whose key
is already in ``<out>`` or in its rank's shard, so a killed job loses at most one uncommitted chunk.
"""
import os.path as osp
import shutil
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np

from glyphsr_mm.datasets.mask_codec import decode_masks, glyph_key
from glyphsr_mm.datasets.textzoom_lmdb import TextZoomLMDB, decode_image
from glyphsr_mm.utils.image import resize_bicubic
from .mask_cache import (GlyphMaskCache, GlyphMaskCacheWriter, cache_keys, decode_record, encode_record,
                         read_hr_bytes, record_key, sample_key)
from .sam_glyph_extractor import kmeans_glyph_masks

#: Where glyph masks come from: ``'sam'`` (the paper's GEM), ``'kmeans'`` (Baseline2's line mask, no character
#: masks), ``'render'`` (the synthetic set's exact masks, stored with each sample).
MODES = ('sam', 'kmeans', 'render')
Sample = Tuple[str, int]  # (LMDB folder, 1-based index)


def list_samples(roots: Sequence[str]) -> List[Sample]:
    """Every (LMDB folder, index) of the data roots, in order."""
    return [(osp.abspath(r), i) for r in roots for i in range(1, len(TextZoomLMDB(r)) + 1)]


def read_sample(sample: Sample, image_size: Tuple[int, int]) -> Tuple[bytes, str, np.ndarray]:
    """(cache key, label, HR RGB uint8 resized as the training pipeline does: PIL bicubic)."""
    db = TextZoomLMDB(sample[0])
    raw = read_hr_bytes(db, sample[1])
    label = db.read_label(sample[1])
    hr = decode_image(raw, db.where(sample[1]))
    return sample_key(label, raw), label, resize_bicubic(hr, tuple(image_size))


def render_masks(sample: Sample) -> Tuple[np.ndarray, np.ndarray]:
    """The synthetic set's exact masks stored with the sample (``render`` mode)."""
    db = TextZoomLMDB(sample[0])
    raw = db.get(glyph_key(sample[1]))
    if raw is None:
        raise KeyError(f'{db.where(sample[1])}: no stored glyph masks; render mode needs the synthetic TextZoom '
                       '(tools/dataset_converters/make_synthetic_textzoom.py); use --mode sam or kmeans')
    chars = decode_masks(raw)
    return chars, chars.any(0)


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f'glyph mask mode must be one of {MODES}, got {mode!r}')
    return mode


def make_extract_fn(mode: str, extractor=None) -> Callable:
    """fn(samples, labels, images) -> [(chars, line)] for one batch: the one dispatch on the mode, used by
    ``tools/extract_glyphs.py`` and by ``GlyphExtraction`` without a cache. Labels are the raw LMDB labels."""
    check_mode(mode)
    if mode == 'sam':
        if extractor is None:
            raise ValueError('mode sam needs an extractor (the config\'s gem.extractor)')
        return lambda samples, labels, images: [(g.chars, g.line) for g in extractor(images, labels)]
    if mode == 'kmeans':
        return lambda samples, labels, images: [(g.chars, g.line) for g in map(kmeans_glyph_masks, images, labels)]
    return lambda samples, labels, images: [render_masks(s) for s in samples]  # render


def shard_path(out: str, rank: int, world: int) -> str:
    return f'{out}.shards/rank{rank}-of-{world}'


def check_meta(path: str, meta: dict) -> None:
    """Refuse to mix GEM settings in one cache."""
    if not osp.exists(osp.join(path, 'data.mdb')):
        return
    cache = GlyphMaskCache(path)
    old = cache.meta()
    cache.db.close()  # the writer opens the path next (one LMDB environment per path and process)
    if old and old != meta:
        diff = {k: (old.get(k), meta.get(k)) for k in set(old) | set(meta) if old.get(k) != meta.get(k)}
        raise ValueError(f'{path} was written with other GEM settings {diff} (cache, now): use another --out or '
                         'delete it')


def extract(samples: Sequence[Sample], out: str, fn: Callable, meta: dict, batch_size: int = 16,
            chunk: int = 256, rank: int = 0, world: int = 1, image_size=(32, 128), progress: bool = True) -> Dict:
    """Run ``fn`` over this rank's slice of ``samples`` and write the records (see the module docstring).

    Returns counts: ``total`` (this rank's slice), ``skipped`` (already cached), ``written``.
    """
    target = out if world == 1 else shard_path(out, rank, world)
    for path in {out, target}:
        check_meta(path, meta)
    done = cache_keys(target) | (cache_keys(out) if target != out else set())
    mine = list(samples)[rank::world]
    todo = []
    for s in mine:
        key = record_key(TextZoomLMDB(s[0]), s[1])
        if key not in done:
            done.add(key)  # a duplicate sample is extracted once
            todo.append(s)
    from tqdm import tqdm
    bar = tqdm(total=len(todo), unit='img', desc=f'GEM {meta["mode"]}' + (f' rank {rank}' if world > 1 else ''),
               disable=not progress or rank != 0, mininterval=1.0, dynamic_ncols=True)
    writer = GlyphMaskCacheWriter(target)
    pending: List[Tuple[bytes, bytes]] = []
    written = 0
    try:
        writer.write([], meta)
        for b in range(0, len(todo), batch_size):
            batch = todo[b:b + batch_size]
            read = [read_sample(s, image_size) for s in batch]
            try:
                results = fn(batch, [r[1] for r in read], [r[2] for r in read])
            except Exception as e:
                where = ', '.join(TextZoomLMDB(s[0]).where(s[1]) for s in batch)
                raise RuntimeError(f'GEM failed on the batch {where}: {e}') from e
            for (key, label, _), (chars, line), s in zip(read, results, batch):
                if meta['mode'] != 'kmeans' and len(chars) != len(label):
                    raise ValueError(f'{TextZoomLMDB(s[0]).where(s[1])}: {len(chars)} character masks for label '
                                     f'{label!r}')
                pending.append((key, encode_record(chars, line)))
            bar.update(len(batch))
            if len(pending) >= chunk:
                writer.write(pending)
                written += len(pending)
                pending.clear()
    finally:  # what was computed before an error is kept
        if pending:
            writer.write(pending)
            written += len(pending)
        writer.close()
        bar.close()
    return dict(total=len(mine), skipped=len(mine) - len(todo), written=written)


def merge_shards(out: str, world: int, meta: dict) -> int:
    """Merge every rank's shard into ``out`` (idempotent), then delete the shards. Returns the records merged."""
    writer = GlyphMaskCacheWriter(out)
    n = 0
    try:
        writer.write([], meta)
        for r in range(world):
            shard = GlyphMaskCacheWriter(shard_path(out, r, world))
            try:
                batch = []
                for kv in shard.items():
                    batch.append(kv)
                    if len(batch) >= 1024:
                        writer.write(batch)
                        n += len(batch)
                        batch = []
                writer.write(batch)
                n += len(batch)
            finally:
                shard.close()
    finally:
        writer.close()
    shutil.rmtree(f'{out}.shards', ignore_errors=True)
    return n


def verify(out: str, samples: Sequence[Sample], mode: str, image_size=(32, 128)) -> Dict:
    """Check that every sample has a decodable record of the right shape. Returns counts and the first problems."""
    cache = GlyphMaskCache(out)
    problems, ok = [], 0
    for s in samples:
        db = TextZoomLMDB(s[0])
        key, label = record_key(db, s[1]), db.read_label(s[1])
        raw = cache.db.get(key)
        where = TextZoomLMDB(s[0]).where(s[1])
        if raw is None:
            problems.append(f'{where}: missing')
            continue
        try:
            chars, line = decode_record(raw)
        except Exception as e:  # noqa: BLE001  (any corruption is reported, not raised)
            problems.append(f'{where}: undecodable ({e})')
            continue
        want = 0 if mode == 'kmeans' else len(label)
        if line.shape != tuple(image_size) or len(chars) != want:
            problems.append(f'{where}: {len(chars)} masks of {line.shape}, expected {want} of {tuple(image_size)}')
            continue
        ok += 1
    cache.db.close()
    return dict(samples=len(samples), ok=ok, problems=problems[:20], num_problems=len(problems))


__all__ = ['MODES', 'check_mode', 'list_samples', 'read_sample', 'make_extract_fn', 'extract', 'merge_shards', 'verify']
