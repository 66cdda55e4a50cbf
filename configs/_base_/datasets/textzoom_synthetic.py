# The synthetic TextZoom (same LMDB format, plus exact glyph masks). Root: SYNTHETIC_TEXTZOOM_ROOT or
# data/synthetic_textzoom (make it with tools/dataset_converters/make_synthetic_textzoom.py).
_base_ = ['./textzoom.py']

synthetic_root = '{{$SYNTHETIC_TEXTZOOM_ROOT:data/synthetic_textzoom}}'  # MMEngine substitutes the environment variable
train_pipeline = [
    dict(type='LoadTextZoomImages', lr_size=(16, 64), hr_size=(32, 128)),
    dict(type='AddTextMaskChannel'),
    # The synthetic set's exact masks; SYNTHETIC_GLYPH_MODE=sam SYNTHETIC_GLYPH_CACHE=DIR reads a GEM cache instead.
    dict(type='GlyphExtraction', mode='{{$SYNTHETIC_GLYPH_MODE:render}}', cache='{{$SYNTHETIC_GLYPH_CACHE:none}}',
         num_maps=16, required=True),
    dict(type='TextRandomAffine', prob=0.5),
    dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset', 'index', 'lmdb_path'],
         data_keys=['gt_char_masks', 'gt_line_mask']),
]
train_dataloader = dict(dataset=dict(data_root=[f'{synthetic_root}/train'], pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=[f'{synthetic_root}/test/{s}' for s in ('easy', 'medium', 'hard')]))
test_dataloader = val_dataloader
