# TBSRN's transformer recognizer at 1/8 width (d_model 128), trained on the synthetic TextZoom's HR images.
# Small enough for 2 CPU cores (~0.7 s per batch of 64): it gives the text focus loss and GEM's key points usable
# weights where TBSRN's pretrain_transformer.pth is not available.
_base_ = ['../_base_/recognizer_runtime.py']
model = dict(type='RecognizerTrainingModel', aux_ctc_weight=0.5,
             recognizer=dict(type='TBSRNTransformerRecognizer', width=0.125, num_heads=8, feature_pe=True,
                             allow_random=True))
# Batch 32 at lr 1e-3: twice the updates of batch 64 in the same time; the attention finds the characters sooner
# (at batch 64 / lr 5e-4 it stayed at a language-model plateau, ~0.3% word accuracy, for the first 400 iterations).
train_dataloader = dict(batch_size=32)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
train_cfg = dict(max_iters=5200, val_interval=400)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, T_max=5100, eta_min=1e-5),
]
# Joint CTC-attention training (aux_ctc_weight): without it the decoder stays at a language-model plateau
# (~0.3% word accuracy after 400 iterations at batch 64/lr 5e-4 and at batch 32/lr 1e-3 alike).
