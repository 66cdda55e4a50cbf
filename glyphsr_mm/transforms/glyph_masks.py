"""Glyph masks stored with a sample (the synthetic set's exact masks), packed as data."""
import numpy as np
from mmcv.transforms import BaseTransform

from glyphsr_mm.datasets.synthetic_text import GLYPH_PREFIX, decode_masks
from glyphsr_mm.datasets.textzoom_lmdb import TextZoomLMDB
from glyphsr_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadTextZoomGlyphMasks(BaseTransform):
    """Read ``glyph-%09d`` of the record into ``gt_char_masks`` (H x W x L uint8, zero-padded to ``num_maps``)
    and their union into ``gt_line_mask`` (H x W x 1). Records without masks get neither key (or an error).

    Masks are H x W x C like MMagic's images, so ``PackInputs(..., data_keys=['gt_char_masks', 'gt_line_mask'])``
    packs them as C x H x W tensors.

    Args:
        num_maps: L, the number of character maps (DESIGN: 16); longer words keep their first L characters.
        required: Raise when a record has no masks (naming the LMDB path and index).
    """

    def __init__(self, num_maps: int = 16, required: bool = False) -> None:
        self.num_maps = num_maps
        self.required = required

    def transform(self, results: dict) -> dict:
        db = TextZoomLMDB(results['lmdb_path'])
        raw = db.get(b'%s-%09d' % (GLYPH_PREFIX.encode(), results['index']))
        if raw is None:
            if self.required:
                raise KeyError(f'{db.where(results["index"])}: no glyph masks (key {GLYPH_PREFIX}-'
                               f'{results["index"]:09d}); generate them with tools/extract_glyphs.py')
            return results
        masks = decode_masks(raw)[:self.num_maps]
        out = np.zeros((*masks.shape[1:], self.num_maps), np.uint8)
        out[..., :len(masks)] = masks.transpose(1, 2, 0)
        results['gt_char_masks'] = out
        results['gt_line_mask'] = out.max(axis=2, keepdims=True)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(num_maps={self.num_maps}, required={self.required})'
