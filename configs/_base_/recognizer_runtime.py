# Runtime shared by recognizer-training configs (tools/train_recognizer.py): iteration-based, MMEngine hooks.
custom_imports = dict(imports=['glyphsr_mm'], allow_failed_imports=False)
default_scope = 'mmagic'
synthetic_root = '{{$SYNTHETIC_TEXTZOOM_ROOT:data/synthetic_textzoom}}'

hr_pipeline = [
    dict(type='LoadTextZoomImages', hr_size=(32, 128)),
    dict(type='PackInputs', keys='gt', meta_keys=['gt_text']),
]
train_dataloader = dict(
    batch_size=64, num_workers=1, persistent_workers=True, drop_last=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='TextZoomDataset', data_root=[f'{synthetic_root}/train'], voc_type='lower', max_len=25,
                 on_bad_sample='skip', pipeline=hr_pipeline))
val_dataloader = dict(
    batch_size=128, num_workers=1, persistent_workers=False, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='TextZoomDataset', data_root=[f'{synthetic_root}/test/{s}' for s in ('easy', 'medium', 'hard')],
                 voc_type='lower', max_len=None, test_mode=True, pipeline=hr_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='WordAccuracy', modes=['textzoom'])
test_evaluator = val_evaluator

train_cfg = dict(type='IterBasedTrainLoop', max_iters=2800, val_interval=400)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-4), clip_grad=dict(max_norm=5.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=200),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=200, T_max=2600, eta_min=1e-5),
]
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=400, by_epoch=False, max_keep_ckpts=2,
                    save_best='recog/word_acc_textzoom', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
env_cfg = dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
               dist_cfg=dict(backend='nccl'))
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
