from .hooks import FiniteLossHook, GlyphVisualizationHook, NonFiniteLossError, SRImageSaverHook

__all__ = ['FiniteLossHook', 'GlyphVisualizationHook', 'NonFiniteLossError', 'SRImageSaverHook']
