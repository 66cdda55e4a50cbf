# Table 1 in the paper's protocol with recognizers that have weights here: TextZoom's CRNN (its reference layout,
# narrower) and MMOCR's CRNN (MMOCR's config, MMOCR's inference path), trained on a synthetic word set that no SR
# model sees (configs/recognizers/evaluators/, tools/train_evaluators.sh; cards in checkpoints/README.md). They grade
# SR output only: no model uses them in a loss or as its text prior. The attention evaluators (MORAN, ASTER, MMOCR's
# ASTER; configs beside them) did not leave the language-model plateau within their CPU budget (validation word
# accuracy 0.0-0.2 %), so they are not shipped; add them here once trained (docs/recognizers.md).
# Defines `table1_recognizers` and `table1_test_evaluator`; a config sets `test_evaluator = _base_.table1_test_evaluator`
# (bicubic LR / SR / HR rows, the share of the gap closed, PSNR/SSIM). As in the release's test script, LR images
# reach each recognizer at 16x64 and its own preprocessing resizes them (upsample_lr=False).
evaluator_checkpoints = '{{$EVALUATOR_CHECKPOINTS:checkpoints}}'
evaluator_configs = '{{ fileDirname }}/../../recognizers/evaluators'
table1_recognizers = dict(
    CRNN=dict(type='TextZoomCRNN', width=0.5, checkpoint=f'{evaluator_checkpoints}/crnn_w0.5_evaluator.pth'),
    MMOCR_CRNN=dict(type='MMOCRRecognizer', config=f'{evaluator_configs}/mmocr_crnn_w0.5_evaluator.py',
                    checkpoint=f'{evaluator_checkpoints}/mmocr_crnn_w0.5_evaluator.pth'),
)
table1_test_evaluator = dict(type='Evaluator', metrics=[
    dict(type='TextRecognitionAccuracy', recognizers=table1_recognizers, rows=('LR', 'SR', 'HR'), upsample_lr=False),
    dict(type='PSNR', crop_border=0), dict(type='SSIM', crop_border=0)])
