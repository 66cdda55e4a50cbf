# GlyphSR without the Glyph Fusion Module on the demo recipe: GPM and its losses only (the paper's "w/o GFM").
_base_ = ['./glyphsr_demo_synthetic.py']
model = dict(generator=dict(use_gfm=False))
