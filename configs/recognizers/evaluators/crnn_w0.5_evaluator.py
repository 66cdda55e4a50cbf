# TextZoom's CRNN evaluator (meijieru/crnn.pytorch layout) at half the convolution widths, LSTMs as released (3.6M
# parameters, 7 MiB in fp16; crnn.pth has 8.3M), trained on the evaluator words (see _base_evaluator_synthetic.py).
_base_ = ['./_base_evaluator_synthetic.py']
model = dict(type='RecognizerTrainingModel', recognizer=dict(type='TextZoomCRNN', width=0.5, allow_random=True))
max_iters = 1600  # the budget of 2 CPU cores: about 11 minutes
train_cfg = dict(max_iters=max_iters, val_interval=500)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=max_iters, T_max=max_iters - 100, eta_min=1e-5),
]
