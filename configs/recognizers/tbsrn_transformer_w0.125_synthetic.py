# TBSRN's transformer recognizer at 1/8 width (d_model 128), trained on the synthetic TextZoom's HR images.
# Small enough for 2 CPU cores (~0.7 s per batch of 64): it gives the text focus loss and GEM's key points usable
# weights where TBSRN's pretrain_transformer.pth is not available.
_base_ = ['../_base_/recognizer_runtime.py']
model = dict(type='RecognizerTrainingModel',
             recognizer=dict(type='TBSRNTransformerRecognizer', width=0.125, num_heads=8, allow_random=True))
