# `make demo`: Baseline1 (GlyphSR's network without GPM/GFM and glyph loss) on the same data, pipeline and budget
# (the glyph masks are still loaded, so that both models see identical batches; Baseline1 ignores them).
_base_ = ['./glyphsr_demo_synthetic.py']
model = dict(generator=dict(glyph_block=None), glyph_loss=None)
