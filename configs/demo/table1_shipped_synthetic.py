# Table 1 in the paper's protocol, offline: the shipped GlyphSR (checkpoints/glyphsr_synthetic.pth) read by the five
# evaluators trained here (configs/_base_/evaluation/synthetic_evaluators.py) on a synthetic test set:
#   SYNTHETIC_TEXTZOOM_ROOT=data/syn_test_seed1 python tools/test.py configs/demo/table1_shipped_synthetic.py \
#       checkpoints/glyphsr_synthetic.pth --out work_dirs/table1/glyphsr
# (data: make_synthetic_textzoom.py data/syn_test_seed1 --num-train 0 --num-test 500 --seed 1; a seed no shipped
# model trained on). Writes rows bicubic LR / SR / HR per evaluator and subset, the paper's average, the share of
# the bicubic-to-HR gap closed, PSNR/SSIM (markdown and JSON).
_base_ = ['./glyphsr_shipped_synthetic.py', '../_base_/evaluation/synthetic_evaluators.py']
table1_root = '{{$SYNTHETIC_TEXTZOOM_ROOT:data/syn_test_seed1}}'
test_dataloader = dict(dataset=dict(data_root=[f'{table1_root}/test/{s}' for s in ('easy', 'medium', 'hard')]))
test_evaluator = _base_.table1_test_evaluator
