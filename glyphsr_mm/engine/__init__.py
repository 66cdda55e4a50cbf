from .hooks import (FiniteLossHook, GlyphVisualizationHook, IterationSeedHook, NonFiniteLossError, SRImageSaverHook,
                    ThroughputHook)

__all__ = ['FiniteLossHook', 'GlyphVisualizationHook', 'IterationSeedHook', 'NonFiniteLossError',
           'SRImageSaverHook', 'ThroughputHook']
