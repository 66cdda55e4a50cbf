from .glyph_masks import GlyphExtraction, LoadTextZoomGlyphMasks
from .loading import LoadTextZoomImages
from .text_affine import TextRandomAffine
from .text_mask import AddTextMaskChannel, text_mask

__all__ = ['GlyphExtraction', 'LoadTextZoomImages', 'LoadTextZoomGlyphMasks', 'AddTextMaskChannel', 'TextRandomAffine', 'text_mask']
