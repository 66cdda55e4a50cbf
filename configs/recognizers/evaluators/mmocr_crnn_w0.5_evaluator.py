# MMOCR's CRNN (crnn_mini-vgg_5e_mj: MiniVGG + CRNNDecoder, CTC) with the backbone at half width (ScaledMiniVGG:
# 32 ... 256 channels; the decoder's LSTMs as released), trained by MMOCR's loop on the evaluator words.
_base_ = ['mmocr::textrecog/crnn/_base_crnn_mini-vgg.py', './_base_mmocr_evaluator_synthetic.py']
model = dict(backbone=dict(type='ScaledMiniVGG', width=0.5), decoder=dict(in_channels=256))
voc_type = 'lower'  # the dictionary has lower-case letters and digits only
# The LMDB dataset hands over decoded images: MMOCR's LoadImageFromNDArray in place of LoadImageFromFile (the same
# conversion to gray as MMOCR's inferencer applies to arrays, so training and Table 1 see the same input).
train_pipeline = [dict(t, type='LoadImageFromNDArray') if t['type'] == 'LoadImageFromFile' else t
                  for t in _base_.train_pipeline]
lmdb_test_pipeline = [dict(t, type='LoadImageFromNDArray') if t['type'] == 'LoadImageFromFile' else t
                      for t in _base_.test_pipeline]
train_dataloader = dict(dataset=dict(voc_type=voc_type, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(datasets=[
    dict(type='TextZoomRecogLMDBDataset', ann_file=f'{_base_.evaluator_root}/test/{s}', image='hr', test_mode=True,
         voc_type=voc_type) for s in ('easy', 'medium', 'hard')], pipeline=lmdb_test_pipeline))
test_dataloader = val_dataloader
max_iters = 2000  # the budget of 2 CPU cores: about 11 minutes
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=500)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=max_iters, T_max=max_iters - 100, eta_min=1e-5),
]
