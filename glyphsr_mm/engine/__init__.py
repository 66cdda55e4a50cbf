from .optimizers import AutocastOptimWrapper
from .hooks import (FiniteLossHook, GlyphVisualizationHook, IterationSeedHook, NonFiniteLossError, SRImageSaverHook,
                    ThroughputHook)

__all__ = ['AutocastOptimWrapper', 'FiniteLossHook', 'GlyphVisualizationHook', 'IterationSeedHook', 'NonFiniteLossError',
           'SRImageSaverHook', 'ThroughputHook']
