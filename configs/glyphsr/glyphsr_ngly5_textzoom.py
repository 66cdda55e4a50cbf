# Table 4 of the paper: glyph modules from SR block N_gly = 5 (4 is the default, configs/glyphsr_textzoom.py).
_base_ = ['../glyphsr_textzoom.py']
model = dict(generator=dict(glyph_block=5))
