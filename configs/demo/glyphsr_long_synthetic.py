# The long CPU training of the shipped recipe (glyphsr_shipped_synthetic.py) that the next shipped GlyphSR comes from:
# 20,000 iterations at batch 16 on 20,000 synthetic pairs (16 epochs), cosine from 5e-4, validated every 1,000
# iterations on the set's 1,500 test images by the two CRNN evaluators and rapidocr (bicubic / SR / HR rows, so the
# log carries the share of the bicubic-to-HR gap closed: the learning curve of docs/reproduction.md).
#   GLYPHSR_DEMO_DATA=data/syn20k python tools/train.py configs/demo/glyphsr_long_synthetic.py \
#       --work-dir work_dirs/glyphsr_long --resume
# (--resume continues from the work dir's last checkpoint after a kill; checkpoints every 250 iterations.)
# The shipped recipe's model, losses, data and batch, about 2x the iterations per hour (docs/benchmarks.md,
# train_recipe): bf16 autocast with channels-last convolution weights on CPUs with AMX / AVX512-BF16 (fp32 elsewhere,
# with a warning), the EasyOCR text prior of a training input it has read before looked up (memo_mib), and the GPM
# class branch, which no loss reads here, skipped.
_base_ = ['./glyphsr_shipped_synthetic.py', '../_base_/evaluation/synthetic_evaluators.py']
model = dict(text_prior=dict(memo_mib=1024), channels_last=True)  # 20,000 EasyOCR priors: 480 MiB
optim_wrapper = dict(type='AutocastOptimWrapper', dtype='bfloat16')
max_iters = 20000
val_interval = 1000
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=max_iters, T_max=max_iters - 30, eta_min=1e-5),
]
val_evaluator = dict(_delete_=True, type='Evaluator', metrics=[
    dict(type='TextRecognitionAccuracy', rows=('LR', 'SR', 'HR'), upsample_lr=False,
         recognizers=dict(_base_.table1_recognizers, rapidocr=dict(type='RapidOCRRecognizer'))),
    dict(type='PSNR', crop_border=0), dict(type='SSIM', crop_border=0)])
test_evaluator = _base_.table1_test_evaluator
default_hooks = dict(checkpoint=dict(interval=250, max_keep_ckpts=2, save_best='CRNN/average/gap_closed',
                                     rule='greater'))
