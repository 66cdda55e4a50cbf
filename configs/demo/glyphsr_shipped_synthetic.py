# The recipe of the shipped synthetic-trained GlyphSR (checkpoints/glyphsr_synthetic.pth: 20,000 iterations of this
# recipe as glyphsr_long_synthetic.py runs it, bf16 and a 20,000-iteration cosine) and its learning curve: the
# text-focus recipe of glyphsr_tfl_demo_synthetic.py (mask channel 0.1 in the pixel loss, GPM class term off, TBSRN
# w0.125 text focus loss at TBSRN's weights) trained for longer on 20,000 synthetic pairs, validated every 500
# iterations on the 1,500 test images with rapidocr and EasyOCR english_g2. docs/reproduction.md has the curve and the
# command.
_base_ = ['./glyphsr_tfl_demo_synthetic.py']
max_iters = 2000
train_cfg = dict(max_iters=max_iters, val_interval=500)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=max_iters, T_max=max_iters - 30, eta_min=1e-5),
]
# Validation (the learning curve) also reads with EasyOCR english_g2; testing (make demo, tools/demo.py's
# neighbours) keeps the base's rapidocr only, to stay within the demo's time budget. Add EasyOCR to a test with
# --cfg-options test_evaluator.metrics.0.recognizers.easyocr.type=EasyOCRRecognizer
val_evaluator = dict(metrics=[
    dict(type='TextRecognitionAccuracy', rows=('SR', ),
         recognizers=dict(rapidocr=dict(type='RapidOCRRecognizer'), easyocr=dict(type='EasyOCRRecognizer'))),
    dict(type='PSNR', crop_border=0), dict(type='SSIM', crop_border=0)])
default_hooks = dict(checkpoint=dict(interval=250, max_keep_ckpts=2))
