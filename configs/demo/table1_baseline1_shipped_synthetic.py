# Table 1 in the paper's protocol, offline, for the Baseline1 shipped beside the GlyphSR (no GPM, no GFM; the same
# recipe and budget: checkpoints/baseline1_synthetic.pth); the evaluators and test set of table1_shipped_synthetic.py:
#   SYNTHETIC_TEXTZOOM_ROOT=data/syn_test_seed1 python tools/test.py configs/demo/table1_baseline1_shipped_synthetic.py \
#       checkpoints/baseline1_synthetic.pth --out work_dirs/table1/baseline1
_base_ = ['./baseline1_shipped_synthetic.py', '../_base_/evaluation/synthetic_evaluators.py']
table1_root = '{{$SYNTHETIC_TEXTZOOM_ROOT:data/syn_test_seed1}}'
test_dataloader = dict(dataset=dict(data_root=[f'{table1_root}/test/{s}' for s in ('easy', 'medium', 'hard')]))
test_evaluator = _base_.table1_test_evaluator
