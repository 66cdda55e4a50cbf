# Baseline1 of the paper: the same network without glyph modules and without glyph loss.
_base_ = ['../glyphsr_textzoom.py']
model = dict(generator=dict(glyph_block=None), glyph_loss=None)
train_pipeline = [
    dict(type='LoadTextZoomImages', lr_size=(16, 64), hr_size=(32, 128)),
    dict(type='AddTextMaskChannel'),
    dict(type='TextRandomAffine', prob=0.5),
    dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset', 'index', 'lmdb_path']),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
