"""Glyph masks for a sample: from the GEM cache, computed online, or the synthetic set's stored exact masks."""
from typing import Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from glyphsr_mm.datasets.textzoom_lmdb import TextZoomLMDB
from glyphsr_mm.glyph.extraction import check_mode, make_extract_fn, render_masks
from glyphsr_mm.glyph.mask_cache import GlyphMaskCache, cache_or_none, record_key, sample_key
from glyphsr_mm.registry import MODELS, TRANSFORMS
from glyphsr_mm.utils.text import kept_positions


@TRANSFORMS.register_module()
class GlyphExtraction(BaseTransform):
    """Put GEM's masks of the sample into ``gt_char_masks`` (H x W x L uint8, zero-padded to ``num_maps``) and
    ``gt_line_mask`` (H x W x 1), so that configs switch between pseudo labels without code changes.

    Masks come one per character of the raw label; when the dataset filtered the label (``gt_text`` differs from
    ``gt_text_raw``: spaces, punctuation or symbols outside ``voc_type``), the masks of the dropped characters are
    dropped too, so that map t is the t-th character of ``gt_text``, whose class ``GlyphLoss`` trains.
    Masks are H x W x C like MMagic's images, so ``PackInputs(..., data_keys=['gt_char_masks', 'gt_line_mask'])``
    packs them as C x H x W tensors. Place it after ``LoadTextZoomImages`` (whose stored HR bytes and the raw label
    key the cache, without reading the record again) and before geometric augmentation.

    Args:
        mode: ``'sam'`` (the paper's GEM), ``'kmeans'`` (Baseline2's line mask; no character masks) or
            ``'render'`` (the synthetic set's exact masks, stored with each sample); see
            :data:`glyphsr_mm.glyph.extraction.MODES`.
        cache: Cache LMDB of ``tools/extract_glyphs.py`` (keyed by sample content). None (or ``'none'``, for
            configs whose environment-variable default cannot be empty) computes online: free for
            ``render`` and ``kmeans``; ``sam`` builds ``extractor`` in each worker (small jobs only).
        extractor: :class:`~glyphsr_mm.glyph.SAMGlyphExtractor` config for online ``sam``.
        num_maps: L, the number of character maps (16 in the paper); longer words keep their first L characters.
        required: Raise when the sample has no masks (naming the sample and the command that makes them);
            False leaves both keys out.
    """

    def __init__(self, mode: str = 'sam', cache: Optional[str] = None, extractor: Optional[dict] = None,
                 num_maps: int = 16, required: bool = True) -> None:
        check_mode(mode)
        cache = cache_or_none(cache)
        if mode == 'sam' and cache is None and extractor is None:
            raise ValueError('GlyphExtraction(mode="sam") needs cache=<tools/extract_glyphs.py output> or '
                             'extractor=dict(type="SAMGlyphExtractor", ...) for online extraction')
        self.mode, self.cache_path, self.extractor_cfg = mode, cache, extractor
        self.num_maps, self.required = num_maps, required
        self._cache = self._extract = None

    def _cached(self, results: dict) -> Optional[Tuple[np.ndarray, np.ndarray]]:
        if self._cache is None:
            self._cache = GlyphMaskCache(self.cache_path)
            mode = self._cache.meta().get('mode')
            if mode not in (None, self.mode):
                raise ValueError(f'{self.cache_path} holds {mode!r} masks, the config asks for {self.mode!r}')
        if 'gt_bytes' in results and 'gt_text_raw' in results:
            key = sample_key(results['gt_text_raw'], results['gt_bytes'])
        else:  # a pipeline without LoadTextZoomImages (or data infos without the raw label)
            key = record_key(TextZoomLMDB(results['lmdb_path']), results['index'])
        return self._cache.get(key)

    def masks(self, results: dict) -> Optional[Tuple[np.ndarray, np.ndarray]]:
        """(chars n x H x W bool, line H x W bool) of the sample, or None."""
        if self.cache_path is not None:
            return self._cached(results)
        sample = (results['lmdb_path'], results['index'])
        if self.mode == 'render':
            try:
                return render_masks(sample)
            except KeyError:
                return None
        if self._extract is None:
            extractor = MODELS.build(self.extractor_cfg) if self.mode == 'sam' else None
            self._extract = make_extract_fn(self.mode, extractor)
        label = results.get('gt_text_raw') or TextZoomLMDB(sample[0]).read_label(sample[1])
        return self._extract([sample], [label], [np.ascontiguousarray(results['gt'][..., :3])])[0]

    def transform(self, results: dict) -> dict:
        found = self.masks(results)
        if found is None:
            if self.required:
                where = TextZoomLMDB(results['lmdb_path']).where(results['index'])
                how = ('tools/extract_glyphs.py CONFIG --out ' + self.cache_path if self.cache_path else
                       'tools/dataset_converters/make_synthetic_textzoom.py (render masks exist only there)')
                raise KeyError(f'{where}: no glyph masks ({self.mode} mode)' +
                               (f' in {self.cache_path}' if self.cache_path else '') + f'; make them with {how}')
            return results
        chars, line = found
        raw, text = results.get('gt_text_raw'), results.get('gt_text')
        if len(chars) and raw is not None and text is not None and raw != text:
            # masks follow the raw label's characters; the class targets (GlyphLoss) follow the filtered gt_text
            keep = kept_positions(raw, text) if len(chars) == len(raw) else None
            if keep is None:
                where = TextZoomLMDB(results['lmdb_path']).where(results['index'])
                raise ValueError(f'{where}: {len(chars)} glyph masks for the label {raw!r} (gt_text {text!r}): '
                                 'cannot line them up with the label')
            chars = chars[keep]
        chars = chars[:self.num_maps]
        out = np.zeros((*line.shape, self.num_maps), np.uint8)
        out[..., :len(chars)] = chars.transpose(1, 2, 0)
        results['gt_char_masks'] = out
        results['gt_line_mask'] = line.astype(np.uint8)[..., None]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(mode={self.mode!r}, cache={self.cache_path!r}, num_maps={self.num_maps}, '
                f'required={self.required})')


@TRANSFORMS.register_module()
class LoadTextZoomGlyphMasks(GlyphExtraction):
    """The synthetic set's exact masks: ``GlyphExtraction(mode='render')`` under its earlier name.

    Args:
        num_maps: L (16).
        required: Raise when a record has no masks; False leaves the keys out.
    """

    def __init__(self, num_maps: int = 16, required: bool = False) -> None:
        super().__init__(mode='render', num_maps=num_maps, required=required)
