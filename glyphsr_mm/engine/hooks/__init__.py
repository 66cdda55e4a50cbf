from .finite_loss_hook import FiniteLossHook, NonFiniteLossError
from .glyph_visualization_hook import GlyphVisualizationHook
from .iteration_seed_hook import IterationSeedHook
from .sr_image_saver_hook import SRImageSaverHook
from .throughput_hook import ThroughputHook

__all__ = ['FiniteLossHook', 'NonFiniteLossError', 'GlyphVisualizationHook', 'IterationSeedHook',
           'SRImageSaverHook', 'ThroughputHook']
