from .hooks import FiniteLossHook, GlyphVisualizationHook, IterationSeedHook, NonFiniteLossError, SRImageSaverHook

__all__ = ['FiniteLossHook', 'GlyphVisualizationHook', 'IterationSeedHook', 'NonFiniteLossError',
           'SRImageSaverHook']
