# Fine-tune the shipped GlyphSR (checkpoints/glyphsr_synthetic.pth) with its own recipe on other data, e.g. the
# scene-effects synthetic set (make_synthetic_textzoom.py --scene), given as GLYPHSR_DEMO_DATA:
#   GLYPHSR_DEMO_DATA=data/syn20k_scene python tools/train.py configs/demo/glyphsr_finetune_synthetic.py
# A cosine from half the recipe's peak learning rate over 300 iterations, validated at the end.
# The shipped file is itself this fine-tune of the recipe's iteration-1,000 model (load_from=.../iter_1000.pth) on
# 20,000 pairs with 30% near-clean degradation (make_synthetic_textzoom.py --clean-fraction 0.3); see its .json.
_base_ = ['./glyphsr_shipped_synthetic.py']
load_from = 'checkpoints/glyphsr_synthetic.pth'
max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(optimizer=dict(lr=2.5e-4))
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=False, begin=0, end=max_iters, T_max=max_iters,
                        eta_min=1e-5)]
default_hooks = dict(checkpoint=dict(interval=max_iters, max_keep_ckpts=1))
