"""Models: one folder per model under ``editors/``; the layers, recognizers and losses they share beside it."""
from . import editors, layers, losses, recognizers  # noqa: F401
from .editors.glyphsr import (GlyphAwareGenerator, GlyphFusionNeck, GlyphPerceptionHead, GlyphSRNet,
                              TextPriorGenerator, TextPriorSRBlock, TextPriorTransformer)

__all__ = ['GlyphAwareGenerator', 'GlyphFusionNeck', 'GlyphPerceptionHead', 'GlyphSRNet', 'TextPriorGenerator',
           'TextPriorSRBlock', 'TextPriorTransformer']
