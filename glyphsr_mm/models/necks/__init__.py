from .glyph_fusion_neck import GlyphFusionNeck

__all__ = ['GlyphFusionNeck']
