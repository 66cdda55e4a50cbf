# Baseline1 (no GPM, no GFM) with the long training's recipe and budget (glyphsr_long_synthetic.py):
#   GLYPHSR_DEMO_DATA=data/syn20k python tools/train.py configs/demo/baseline1_long_synthetic.py \
#       --work-dir work_dirs/baseline1_long --resume
_base_ = ['./glyphsr_long_synthetic.py']
model = dict(generator=dict(glyph_block=None), glyph_loss=None)
