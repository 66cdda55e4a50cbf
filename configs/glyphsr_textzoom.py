# GlyphSR on TextZoom (the paper's setup). Data root: TEXTZOOM_ROOT; glyph pseudo masks from tools/extract_glyphs.py
# (GEM) stored in the LMDBs' glyph-* keys; batch 48, 200 epochs.
_base_ = ['./_base_/models/glyphsr.py', './_base_/datasets/textzoom.py', './_base_/schedules/adam_200e.py',
          './_base_/default_runtime.py', './_base_/evaluation/textzoom_recognizers.py']
train_pipeline = [
    dict(type='LoadTextZoomImages', lr_size=(16, 64), hr_size=(32, 128), on_bad_sample='skip'),
    dict(type='AddTextMaskChannel'),
    dict(type='LoadTextZoomGlyphMasks', num_maps=16, required=True),
    dict(type='TextRandomAffine', prob=0.5),
    dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset', 'index', 'lmdb_path'],
         data_keys=['gt_char_masks', 'gt_line_mask']),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
