# TextZoom's CRNN architecture (37 classes, CTC) trained on the synthetic TextZoom's HR images.
_base_ = ['../_base_/recognizer_runtime.py']
model = dict(type='RecognizerTrainingModel', recognizer=dict(type='TextZoomCRNN', allow_random=True))
