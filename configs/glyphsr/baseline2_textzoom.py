# Baseline2 of the paper: GPM supervised by K-means line masks only (tools/extract_glyphs.py --mode kmeans).
_base_ = ['../glyphsr_textzoom.py']
model = dict(glyph_loss=dict(type='GlyphLoss', use_char_masks=False))
