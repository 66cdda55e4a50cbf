# GEM over the synthetic TextZoom (exact masks known, so GEM's quality can be measured: tools/benchmark.py gem).
# The recognizer is the 1/8-width TBSRN transformer trained on the synthetic set (configs/recognizers/), its
# checkpoint from TBSRN_TRANSFORMER.
_base_ = ['./gem_sam_vit_b_textzoom.py']
synthetic_root = '{{$SYNTHETIC_TEXTZOOM_ROOT:data/synthetic_textzoom}}'
data_roots = [f'{synthetic_root}/train'] + [f'{synthetic_root}/test/{s}' for s in ('easy', 'medium', 'hard')]
# Its attention at step t looks at character t - 1 (measured: 75% of key points in that box, 44% in box t):
# attention_shift=1.
gem = dict(extractor=dict(recognizer=dict(width=0.125, num_heads=8, feature_pe=True), attention_shift=1))
