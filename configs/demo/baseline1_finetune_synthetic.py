# Baseline1's counterpart of glyphsr_finetune_synthetic.py (the same 300-iteration annealed fine-tune, no GPM and no
# GFM): how checkpoints/baseline1_synthetic.pth was made from Baseline1's iteration-1,000 checkpoint of
# baseline1_shipped_synthetic.py, on the set with 30% near-clean pairs:
#   GLYPHSR_DEMO_DATA=data/syn20k_clean30 python tools/train.py configs/demo/baseline1_finetune_synthetic.py \
#       --cfg-options load_from=W/iter_1000.pth
_base_ = ['./glyphsr_finetune_synthetic.py']
model = dict(generator=dict(glyph_block=None), glyph_loss=None)
load_from = 'checkpoints/baseline1_synthetic.pth'
