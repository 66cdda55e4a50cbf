from .glyph_masks import LoadTextZoomGlyphMasks
from .loading import LoadTextZoomImages
from .text_affine import TextRandomAffine
from .text_mask import AddTextMaskChannel, text_mask

__all__ = ['LoadTextZoomImages', 'LoadTextZoomGlyphMasks', 'AddTextMaskChannel', 'TextRandomAffine', 'text_mask']
