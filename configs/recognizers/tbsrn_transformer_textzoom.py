# TBSRN's transformer recognizer at its released size (d_model 1024, 16 heads) on TextZoom's HR images
# (needs a GPU; TEXTZOOM_ROOT as in configs/_base_/datasets/textzoom.py).
_base_ = ['../_base_/recognizer_runtime.py']
textzoom_root = '{{$TEXTZOOM_ROOT:data/textzoom}}'
model = dict(type='RecognizerTrainingModel',
             recognizer=dict(type='TBSRNTransformerRecognizer', width=1.0, num_heads=16, allow_random=True))
train_dataloader = dict(batch_size=64, num_workers=4,
                        dataset=dict(data_root=[f'{textzoom_root}/train1', f'{textzoom_root}/train2']))
val_dataloader = dict(num_workers=4, dataset=dict(data_root=[f'{textzoom_root}/test/{s}' for s in ('easy', 'medium', 'hard')]))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=50000, val_interval=2000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=1000),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=1000, T_max=49000, eta_min=1e-5),
]
env_cfg = dict(dist_cfg=dict(backend='nccl'))
