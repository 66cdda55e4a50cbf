# GlyphSR without the Glyph Fusion Module (GPM and its losses only; the paper's "w/o GFM") with the shipped
# GlyphSR's recipe and budget (glyphsr_shipped_synthetic.py): the third learning curve in docs/reproduction.md.
_base_ = ['./glyphsr_shipped_synthetic.py']
model = dict(generator=dict(use_gfm=False))
