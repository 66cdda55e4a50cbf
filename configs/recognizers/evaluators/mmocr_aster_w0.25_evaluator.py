# MMOCR's ASTER (aster_resnet45_6e_st_mj: STN, ResNet-45, BiLSTM encoder, attention decoder) with the ResNet,
# encoder and decoder at 1/4 width (3.1M parameters, 1.9M of them the STN as released), trained by MMOCR's loop on
# the evaluator words. Images are resized to 32x128 instead of 64x256: the STN samples its 32x64 localisation input
# and 32x100 output from them either way, and the 32x128 crops hold no more detail.
_base_ = ['mmocr::textrecog/aster/_base_aster.py', './_base_mmocr_evaluator_synthetic.py']
model = dict(
    backbone=dict(arch_channels=[8, 16, 32, 64, 128], stem_channels=[8]),
    encoder=dict(in_channels=128),
    decoder=dict(in_channels=128, emb_dims=128, attn_dims=128, hidden_size=128))
_load = dict(LoadImageFromFile='LoadImageFromNDArray')  # the LMDB dataset hands over decoded images
train_pipeline = [dict(t, scale=(128, 32)) if t['type'] == 'Resize' else dict(t, type=_load.get(t['type'], t['type']))
                  for t in _base_.train_pipeline]
test_pipeline = [dict(t, scale=(128, 32)) if t['type'] == 'Resize' else t for t in _base_.test_pipeline]
lmdb_test_pipeline = [dict(t, type=_load.get(t['type'], t['type'])) for t in test_pipeline]
# Batch 32: attention decoders find the characters after more updates, not more samples per update.
train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=lmdb_test_pipeline))
test_dataloader = val_dataloader
max_iters = 3500  # the budget of 2 CPU cores: about 11 minutes
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=500)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=max_iters, T_max=max_iters - 100, eta_min=1e-5),
]
