from .optimizers import AutocastOptimWrapper
from .runner import FastResumeIterBasedTrainLoop
from .hooks import (FiniteLossHook, GlyphVisualizationHook, IterationSeedHook, NonFiniteLossError, SRImageSaverHook,
                    ThroughputHook)

__all__ = ['AutocastOptimWrapper', 'FastResumeIterBasedTrainLoop', 'FiniteLossHook', 'GlyphVisualizationHook', 'IterationSeedHook', 'NonFiniteLossError',
           'SRImageSaverHook', 'ThroughputHook']
