from .glyph_perception_head import GlyphPerceptionHead

__all__ = ['GlyphPerceptionHead']
