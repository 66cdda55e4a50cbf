# Baseline2 of the paper on the demo recipe: GPM (and GFM) trained by the K-means foreground line mask alone
# (docs/design.md §4), computed online from the HR image (cheap: no cache needed); no character or class loss.
_base_ = ['./glyphsr_demo_synthetic.py']
model = dict(glyph_loss=dict(use_char_masks=False))
train_pipeline = [
    dict(type='LoadTextZoomImages', lr_size=(16, 64), hr_size=(32, 128)),
    dict(type='AddTextMaskChannel'),
    dict(type='GlyphExtraction', mode='kmeans', num_maps=16),
    dict(type='TextRandomAffine', prob=0.5),
    dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset', 'index', 'lmdb_path'],
         data_keys=['gt_char_masks', 'gt_line_mask']),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
