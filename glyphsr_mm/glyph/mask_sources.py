"""Where a training config's glyph masks come from, and whether they exist for every training sample.

``tools/train.py`` calls :func:`check_training_masks` before the runner is built, so that a missing GEM cache (or a
cache made for other data) fails in seconds with the number of samples it lacks and the command that makes them,
instead of at the first training sample.
"""
import os
from typing import Iterator, List, Optional, Tuple

from glyphsr_mm.datasets.mask_codec import glyph_key
from glyphsr_mm.datasets.textzoom_lmdb import TextZoomLMDB
from .mask_cache import cache_keys, cache_or_none, record_key

MASK_STEPS = ('GlyphExtraction', 'LoadTextZoomGlyphMasks')


class GlyphMasksMissing(RuntimeError):
    """The training set has samples without glyph masks in the configured source; the message says how to fix it."""


def mask_step(step: dict) -> Optional[dict]:
    """``{mode, cache, required, num_maps}`` of a pipeline step that provides glyph masks, or None."""
    kind = step.get('type')
    if kind not in MASK_STEPS:
        return None
    if kind == 'LoadTextZoomGlyphMasks':
        return dict(mode='render', cache=None, required=step.get('required', False),
                    num_maps=step.get('num_maps', 16))
    return dict(mode=step.get('mode', 'sam'), cache=cache_or_none(step.get('cache')),
                required=step.get('required', True),
                num_maps=step.get('num_maps', 16))


def _train_datasets(cfg) -> Iterator[dict]:
    ds = (cfg.get('train_dataloader') or {}).get('dataset') or {}
    yield from (ds.get('datasets', []) if ds.get('type') == 'ConcatDataset' else [ds])


def training_mask_sources(cfg) -> List[Tuple[dict, dict]]:
    """(dataset config, mask step) for every glyph-mask step of the training pipelines."""
    out = []
    for ds in _train_datasets(cfg):
        for step in ds.get('pipeline') or []:
            source = mask_step(step)
            if source is not None:
                out.append((ds, source))
    return out


def _samples(ds: dict) -> List[Tuple[str, int]]:
    """(LMDB path, index) of every sample the training dataset keeps (same filters as the dataset)."""
    from glyphsr_mm.datasets import TextZoomDataset
    args = {k: ds[k] for k in ('voc_type', 'max_len', 'on_bad_sample', 'require_hr', 'drop_empty') if k in ds}
    dataset = TextZoomDataset(ds['data_root'], serialize_data=False, **args)
    return [(d['lmdb_path'], d['index']) for d in dataset.data_list]


def _extract_command(mode: str, cache: str, roots: List[str]) -> str:
    config = ('configs/glyph/gem_sam_vit_b_synthetic.py' if mode == 'render' else
              'configs/glyph/gem_sam_vit_b_textzoom.py')
    return (f'python tools/extract_glyphs.py {config} --out {cache}' + ('' if mode == 'sam' else f' --mode {mode}') +
            f' --cfg-options "data_roots=[{",".join(roots)}]"')


def check_training_masks(cfg) -> None:
    """Raise :class:`GlyphMasksMissing` when a required glyph-mask source lacks samples of the training set.

    Sources: a cache of ``tools/extract_glyphs.py`` (``GlyphExtraction(cache=...)``: every training sample's content
    key must be in it), the synthetic set's stored masks (``mode='render'`` without a cache: every record must have
    its ``glyph-*`` key). Online ``kmeans`` and online ``sam`` need nothing on disk.
    """
    for ds, src in training_mask_sources(cfg):
        if not src['required'] or (src['cache'] is None and src['mode'] != 'render'):
            continue
        roots = [ds['data_root']] if isinstance(ds['data_root'], str) else list(ds['data_root'])
        if not all(os.path.isdir(r) for r in roots):
            continue  # no data yet: the dataset reports that itself, naming the folder
        samples = _samples(ds)
        cache = src['cache']
        if cache is not None:
            if not os.path.exists(os.path.join(cache, 'data.mdb')):
                raise GlyphMasksMissing(
                    f'the glyph-mask cache {cache} (GLYPH_CACHE) does not exist; the training set has {len(samples)} '
                    f'samples in {roots}. Make it first:\n  {_extract_command(src["mode"], cache, roots)}')
            keys = cache_keys(cache)
            missing = [s for s in samples if record_key(TextZoomLMDB(s[0]), s[1]) not in keys]
        else:
            missing = [s for s in samples if TextZoomLMDB(s[0]).get(glyph_key(s[1])) is None]
        if missing:
            where = f'in the cache {cache} (GLYPH_CACHE)' if cache else "as stored 'render' masks (glyph-* keys)"
            fix = (_extract_command(src['mode'], cache, roots) if cache else
                   'tools/dataset_converters/make_synthetic_textzoom.py writes them (synthetic data only); for real '
                   "data use GlyphExtraction(mode='sam', cache=...) and tools/extract_glyphs.py")
            raise GlyphMasksMissing(
                f'{len(missing)} of {len(samples)} training samples have no {src["mode"]} glyph masks {where}, e.g. '
                + ', '.join(f'{p}#{i}' for p, i in missing[:3]) + f'. Make them with:\n  {fix}')
