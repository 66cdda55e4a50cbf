# MMagic-style runtime for GlyphSR training (tools/train.py).
custom_imports = dict(imports=['glyphsr_mm'], allow_failed_imports=False)
default_scope = 'mmagic'
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, by_epoch=True, max_keep_ckpts=3, save_best='average/word_acc',
                    rule='greater', out_dir=None),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
env_cfg = dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
               dist_cfg=dict(backend='nccl'))
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=True)
# Validation sheets LR | SR | HR | line map | char maps (vis_data/vis_image/); add
# dict(type='TensorboardVisBackend') to vis_backends for TensorBoard (images and the logged scalars).
# FiniteLossHook stops training at the first NaN/Inf loss term, naming the iteration and the term;
# IterationSeedHook makes a resumed run draw the same random numbers as an uninterrupted one; ThroughputHook logs
# images/s next to the losses, learning rate and ETA.
custom_hooks = [dict(type='GlyphVisualizationHook', num_samples=8), dict(type='FiniteLossHook'),
                dict(type='IterationSeedHook'), dict(type='ThroughputHook')]
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ConcatImageVisualizer', vis_backends=vis_backends, fn_key='index', img_keys=['pred_img'])
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
