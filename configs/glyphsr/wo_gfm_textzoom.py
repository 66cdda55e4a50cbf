# GlyphSR without the Glyph Fusion Module: GPM and its losses only.
_base_ = ['../glyphsr_textzoom.py']
model = dict(generator=dict(use_gfm=False))
