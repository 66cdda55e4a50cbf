# The paper's schedule: Adam lr 1e-3 (beta1 0.5 as TSRN/TPGSR), 200 epochs, 5 epochs of linear warm-up, cosine.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3, betas=(0.5, 0.999)))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200, val_interval=1)
# MMagic's loops: they call each metric's prepare() (BaseSampleWiseMetric needs it; MMEngine's ValLoop does not).
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=5, end=200, T_max=195, eta_min=1e-6,
         convert_to_iter_based=True),
]
