# TextZoom's ASTER evaluator (aster.pytorch layout: TPS-STN, ResNet-45 + BiLSTM, GRU attention decoder) with the
# encoder and decoder at 1/4 width (3.1M parameters, 1.9M of them the STN as released; the release has 21M), trained
# on the evaluator words (see _base_evaluator_synthetic.py). Validation decodes greedily (fast); Table 1 uses the
# release's beam search.
_base_ = ['./_base_evaluator_synthetic.py']
# Joint CTC-attention training (an auxiliary CTC head on the encoder's sequence, dropped when published): without
# it the decoder sat at a language-model plateau (0.0% validation word accuracy at 1,000 of 3,000 iterations, MORAN).
model = dict(type='RecognizerTrainingModel', aux_ctc_weight=0.5, aux_ctc_features='encoder',
             recognizer=dict(type='ASTERRecognizer', width=0.25, decode='greedy', allow_random=True))
# ASTER reads case and punctuation (94 classes): its labels keep them. Batch 32: attention decoders find the
# characters after more updates, not more samples per update.
train_dataloader = dict(batch_size=32, dataset=dict(voc_type='all'))
max_iters = 4000  # the budget of 2 CPU cores: about 11 minutes
train_cfg = dict(max_iters=max_iters, val_interval=500)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=max_iters, T_max=max_iters - 100, eta_min=1e-5),
]
