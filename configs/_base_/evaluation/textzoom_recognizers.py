# Evaluation as in TextZoom papers (docs/design.md §5): word accuracy of TextZoom's reference CRNN, ASTER and MORAN on
# the SR images, per subset and on average (the paper's plain mean of the three subsets; the sample-weighted
# average is reported beside it), plus MMagic's PSNR/SSIM. Validation reads SR only and
# keeps the best checkpoint by `average/word_acc` (mean of the three recognizers); tools/test.py adds the bicubic
# LR and HR reference rows of Table 1; as in the release's test script, LR images reach each recognizer at 16x64
# (its own preprocessing resizes them: bicubic to 32x100 for CRNN/MORAN, ASTER's STN reads them as they are). Weights come from environment variables (defaults under checkpoints/);
# a missing file fails when the evaluator is built, before training starts, naming the file. The metric's module
# is in default_runtime.py's custom_imports, where checkpoints are also selected by `average/word_acc`.
crnn_checkpoint = '{{$CRNN_CHECKPOINT:checkpoints/crnn.pth}}'
aster_checkpoint = '{{$ASTER_CHECKPOINT:checkpoints/aster_demo.pth.tar}}'
moran_checkpoint = '{{$MORAN_CHECKPOINT:checkpoints/moran.pth}}'
eval_recognizers = dict(
    CRNN=dict(type='TextZoomCRNN', checkpoint=crnn_checkpoint),
    ASTER=dict(type='ASTERRecognizer', checkpoint=aster_checkpoint),
    MORAN=dict(type='MORANRecognizer', checkpoint=moran_checkpoint),
)
quality_metrics = [dict(type='PSNR', crop_border=0), dict(type='SSIM', crop_border=0)]  # RGB, 0-255 range
val_evaluator = dict(type='Evaluator', metrics=[
    dict(type='TextRecognitionAccuracy', recognizers=eval_recognizers, rows=('SR', )), *quality_metrics])
test_evaluator = dict(type='Evaluator', metrics=[
    dict(type='TextRecognitionAccuracy', recognizers=eval_recognizers, rows=('LR', 'SR', 'HR'), upsample_lr=False),
    *quality_metrics])
