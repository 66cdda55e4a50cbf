from .glyph_aware_generator import GlyphAwareGenerator
from .glyphsr_net import GlyphSRNet
from .sr_block import TextPriorSRBlock

__all__ = ["GlyphAwareGenerator", "GlyphSRNet", "TextPriorSRBlock"]
