from .glyphsr import GlyphSR

__all__ = ["GlyphSR"]
