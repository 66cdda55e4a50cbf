# Baseline1 (no GPM, no GFM) with the shipped GlyphSR's recipe and budget (glyphsr_shipped_synthetic.py): the
# comparison row of the shipped model and of the learning curves in docs/reproduction.md.
_base_ = ['./glyphsr_shipped_synthetic.py']
model = dict(generator=dict(glyph_block=None), glyph_loss=None)
