# Baseline2 of the paper: the GPM supervised by K-means line masks only (no character masks), computed online from
# each HR image (GlyphExtraction mode 'kmeans'; or cache them: tools/extract_glyphs.py CONFIG --mode kmeans --out DIR
# and add cache=DIR).
_base_ = ['../glyphsr_textzoom.py']
model = dict(glyph_loss=dict(type='GlyphLoss', use_char_masks=False))
train_pipeline = [
    dict(type='LoadTextZoomImages', lr_size=(16, 64), hr_size=(32, 128)),
    dict(type='AddTextMaskChannel'),
    dict(type='GlyphExtraction', mode='kmeans', num_maps=16, required=True),
    dict(type='TextRandomAffine', prob=0.5),
    dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset', 'index', 'lmdb_path'],
         data_keys=['gt_char_masks', 'gt_line_mask']),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
