from .finite_loss_hook import FiniteLossHook, NonFiniteLossError
from .glyph_visualization_hook import GlyphVisualizationHook
from .sr_image_saver_hook import SRImageSaverHook

__all__ = ['FiniteLossHook', 'NonFiniteLossError', 'GlyphVisualizationHook', 'SRImageSaverHook']
