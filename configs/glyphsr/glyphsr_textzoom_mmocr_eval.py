# Table 1 with MMOCR's CRNN and ASTER beside TextZoom's CRNN, ASTER and MORAN: the same GlyphSR, evaluated by five
# recognizers. MMOCR's models run their own test pipeline, data preprocessor and postprocessor (MMOCRRecognizer,
# the path MMOCR's TextRecInferencer takes). Weights (MMOCR checkpoints of these configs) from MMOCR_CRNN_CHECKPOINT
# and MMOCR_ASTER_CHECKPOINT (defaults: MMOCR's model-zoo files under checkpoints/, as in
# ../_base_/evaluation/mmocr_recognizers.py, which lists their download addresses).
#   python tools/test.py configs/glyphsr/glyphsr_textzoom_mmocr_eval.py CHECKPOINT
_base_ = ['../glyphsr_textzoom.py']
mmocr_crnn_checkpoint = '{{$MMOCR_CRNN_CHECKPOINT:checkpoints/crnn_mini-vgg_5e_mj_20220826_224120-8afbedbb.pth}}'
mmocr_aster_checkpoint = '{{$MMOCR_ASTER_CHECKPOINT:checkpoints/aster_resnet45_6e_st_mj-cc56eca4.pth}}'
eval_recognizers = dict(
    CRNN=dict(type='TextZoomCRNN', checkpoint={{_base_.crnn_checkpoint}}),
    ASTER=dict(type='ASTERRecognizer', checkpoint={{_base_.aster_checkpoint}}),
    MORAN=dict(type='MORANRecognizer', checkpoint={{_base_.moran_checkpoint}}),
    MMOCR_CRNN=dict(type='MMOCRRecognizer', config='mmocr::textrecog/crnn/crnn_mini-vgg_5e_mj.py',
                    checkpoint=mmocr_crnn_checkpoint),
    MMOCR_ASTER=dict(type='MMOCRRecognizer', config='mmocr::textrecog/aster/aster_resnet45_6e_st_mj.py',
                     checkpoint=mmocr_aster_checkpoint),
)
val_evaluator = dict(metrics=[
    dict(type='TextRecognitionAccuracy', recognizers=eval_recognizers, rows=('SR', )),
    dict(type='PSNR', crop_border=0), dict(type='SSIM', crop_border=0)])
test_evaluator = dict(metrics=[
    dict(type='TextRecognitionAccuracy', recognizers=eval_recognizers, rows=('LR', 'SR', 'HR'), upsample_lr=False),
    dict(type='PSNR', crop_border=0), dict(type='SSIM', crop_border=0)])
