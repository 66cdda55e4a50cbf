# Evaluation with MMOCR's CRNN and ASTER (model-zoo weights, built with _scope_='mmocr') in place of TextZoom's
# reference recognizers: put this file instead of ./textzoom_recognizers.py in a config's _base_ list. Weights:
#   https://download.openmmlab.com/mmocr/textrecog/crnn/crnn_mini-vgg_5e_mj/crnn_mini-vgg_5e_mj_20220826_224120-8afbedbb.pth
#   https://download.openmmlab.com/mmocr/textrecog/aster/aster_resnet45_6e_st_mj/aster_resnet45_6e_st_mj-cc56eca4.pth
eval_recognizers = dict(
    CRNN=dict(type='MMOCRRecognizer', config='mmocr::textrecog/crnn/crnn_mini-vgg_5e_mj.py',
              checkpoint='{{$MMOCR_CRNN_CHECKPOINT:checkpoints/crnn_mini-vgg_5e_mj_20220826_224120-8afbedbb.pth}}'),
    ASTER=dict(type='MMOCRRecognizer', config='mmocr::textrecog/aster/aster_resnet45_6e_st_mj.py',
               checkpoint='{{$MMOCR_ASTER_CHECKPOINT:checkpoints/aster_resnet45_6e_st_mj-cc56eca4.pth}}'),
)
quality_metrics = [dict(type='PSNR', crop_border=0), dict(type='SSIM', crop_border=0)]
val_evaluator = dict(type='Evaluator', metrics=[
    dict(type='TextRecognitionAccuracy', recognizers=eval_recognizers, rows=('SR', )), *quality_metrics])
test_evaluator = dict(type='Evaluator', metrics=[
    dict(type='TextRecognitionAccuracy', recognizers=eval_recognizers, rows=('LR', 'SR', 'HR')), *quality_metrics])
