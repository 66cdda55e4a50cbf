"""Checks of a whole training config that no single component can make (they span model and data), run by
``tools/train.py`` and ``tools/test.py`` before anything is built."""
from typing import List, Optional

from glyphsr_mm.glyph.mask_sources import mask_step


class ConfigError(ValueError):
    """A config that cannot work; the message says what to change."""


def _glyph_maps(model: dict) -> Optional[int]:
    """L (number of glyph maps) of the restorer's generator, or None when it has no glyph modules."""
    gen = (model or {}).get('generator') or {}
    if gen.get('type') == 'GlyphSRNet':
        return gen.get('num_maps', 16) if gen.get('glyph_block', 4) is not None else None
    if gen.get('type') == 'GlyphAwareGenerator':
        return gen.get('num_maps', 16)
    return None


def _datasets(loader: Optional[dict]) -> List[dict]:
    ds = (loader or {}).get('dataset') or {}
    if ds.get('type') == 'ConcatDataset':
        return list(ds.get('datasets', []))
    return [ds]


def check_config(cfg) -> None:
    """Raise :class:`ConfigError` naming the keys to change.

    - ``model.generator.num_maps`` (L) must cover the longest label the training set keeps
      (``train_dataloader.dataset.max_len``): the GPM has one map per character, so longer words lose their tail.
    - Every glyph-mask step of a pipeline (``GlyphExtraction`` in any mode, ``LoadTextZoomGlyphMasks``) must give
      L maps (``num_maps``), and a model with glyph modules must get masks in training.
    """
    maps = _glyph_maps(cfg.get('model'))
    if maps is None:
        return
    for ds in _datasets(cfg.get('train_dataloader')):
        max_len = ds.get('max_len')
        if max_len is None:
            raise ConfigError(f'the generator has L = {maps} glyph maps but train_dataloader.dataset.max_len is None '
                              f'(labels of any length): set max_len <= {maps}, or raise model.generator.num_maps')
        if max_len > maps:
            raise ConfigError(f'model.generator.num_maps (L = {maps}) is smaller than train_dataloader.dataset.max_len '
                              f'({max_len}): set num_maps >= {max_len} or max_len <= {maps}')
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        for ds in _datasets(cfg.get(name)):
            for t in ds.get('pipeline') or []:
                src = mask_step(t)
                if src is not None and src['num_maps'] != maps:
                    raise ConfigError(f"{name}: {t['type']}(mode={src['mode']!r}, num_maps={src['num_maps']}) differs "
                                      f'from model.generator.num_maps ({maps}): set both to the same L')
    if (cfg.get('train_dataloader') and (cfg.get('model') or {}).get('glyph_loss') is not None
            and not any(mask_step(t) for ds in _datasets(cfg.get('train_dataloader')) for t in ds.get('pipeline') or [])):
        raise ConfigError('model.glyph_loss is set but the training pipeline has no glyph-mask step: add '
                          "dict(type='GlyphExtraction', mode='sam', cache=...) (or mode='kmeans'/'render')")
