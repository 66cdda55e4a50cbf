# GFM inside MMagic's EDSRNet (x2, 16 residual blocks, RGB input): GPM after body.11, GFMs after body.11..15.
_base_ = ['../glyphsr_textzoom.py']
model = dict(
    generator=dict(_delete_=True, type='GlyphAwareGenerator', channels=64, head_after='body.11',
                   neck_after=[f'body.{i}' for i in range(11, 16)],
                   generator=dict(type='EDSRNet', in_channels=3, out_channels=3, mid_channels=64,
                                  num_blocks=16, upscale_factor=2, res_scale=1,
                                  rgb_mean=[0.0, 0.0, 0.0], rgb_std=[1.0, 1.0, 1.0])),
    text_prior=None)
train_pipeline = [
    dict(type='LoadTextZoomImages', lr_size=(16, 64), hr_size=(32, 128)),
    dict(type='GlyphExtraction', mode={{_base_.glyph_mode}}, cache={{_base_.glyph_cache}}, num_maps=16, required=True),
    dict(type='TextRandomAffine', prob=0.5),
    dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset', 'index', 'lmdb_path'],
         data_keys=['gt_char_masks', 'gt_line_mask']),
]
test_pipeline = [
    dict(type='LoadTextZoomImages', lr_size=(16, 64), hr_size=(32, 128)),
    dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset', 'index', 'lmdb_path']),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
