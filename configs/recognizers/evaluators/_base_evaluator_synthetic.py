# Shared by the evaluator recognizers (CRNN, MORAN, ASTER in TextZoom's layouts): the recognizers that grade SR
# output in Table 1. They learn from their own synthetic set, which no SR model sees: another data seed, words
# disjoint from the SR sets' list (--words evaluator) and Synth90k-like image effects (--hr-effects):
#   python tools/dataset_converters/make_synthetic_textzoom.py data/evaluator_words --num-train 100000 \
#       --num-test 200 --seed 7 --workers 2 --scene --words evaluator --hr-effects
# Train with tools/train_recognizer.py (resumes with --resume). Validation reads that set's own test splits (its
# words, never the SR test set's), so no SR test image selects a checkpoint; the last one is shipped.
_base_ = ['../../_base_/recognizer_runtime.py']
evaluator_root = '{{$EVALUATOR_WORDS_ROOT:data/evaluator_words}}'
train_dataloader = dict(batch_size=64, dataset=dict(data_root=[f'{evaluator_root}/train'], voc_type='lower'))
val_dataloader = dict(dataset=dict(data_root=[f'{evaluator_root}/test/{s}' for s in ('easy', 'medium', 'hard')]))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
default_hooks = dict(checkpoint=dict(interval=500, max_keep_ckpts=1, save_best=None, save_last=True))
