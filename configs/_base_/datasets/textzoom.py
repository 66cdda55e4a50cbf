# TextZoom (docs/design.md §1): train1 + train2 for training, test/{easy,medium,hard} for validation and test.
# The root comes from one variable: the TEXTZOOM_ROOT environment variable (default data/textzoom); or override the
# data_root entries with --cfg-options. The synthetic set (tools/dataset_converters/make_synthetic_textzoom.py)
# has the same layout with a single `train` folder: see textzoom_synthetic.py.
textzoom_root = '{{$TEXTZOOM_ROOT:data/textzoom}}'  # MMEngine substitutes the environment variable
train_roots = [f'{textzoom_root}/train1', f'{textzoom_root}/train2']
test_roots = [f'{textzoom_root}/test/{s}' for s in ('easy', 'medium', 'hard')]

train_pipeline = [
    dict(type='LoadTextZoomImages', lr_size=(16, 64), hr_size=(32, 128)),
    dict(type='AddTextMaskChannel'),
    dict(type='TextRandomAffine', prob=0.5),
    dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset', 'index', 'lmdb_path']),
]
test_pipeline = [
    dict(type='LoadTextZoomImages', lr_size=(16, 64), hr_size=(32, 128)),
    dict(type='AddTextMaskChannel'),
    dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset', 'index', 'lmdb_path']),
]

# SampleSeedSampler: each sample's augmentation is seeded by its place in training, so that a resumed run equals an
# uninterrupted one with any number of (persistent) workers.
train_dataloader = dict(
    batch_size=48, num_workers=4, persistent_workers=True, drop_last=True,
    sampler=dict(type='SampleSeedSampler', sampler=dict(type='DefaultSampler', shuffle=True)),
    dataset=dict(type='TextZoomDataset', data_root=train_roots, voc_type='all', max_len=16,
                 on_bad_sample='skip', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64, num_workers=4, persistent_workers=True, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='TextZoomDataset', data_root=test_roots, voc_type='all', max_len=None,
                 on_bad_sample='raise', test_mode=True, pipeline=test_pipeline))
test_dataloader = val_dataloader
