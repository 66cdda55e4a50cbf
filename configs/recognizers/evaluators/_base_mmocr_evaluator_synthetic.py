# Shared by the MMOCR evaluators (MMOCR's CRNN and ASTER configs, trained by MMOCR's own loop in MMOCR's scope)
# on the evaluator words (see _base_evaluator_synthetic.py for the data command). Iteration-based, resumable
# (tools/train_recognizer.py --resume); the last checkpoint is shipped.
_base_ = ['mmocr::textrecog/_base_/default_runtime.py']
custom_imports = dict(imports=['glyphsr_mm.models.recognizers.mmocr_training'], allow_failed_imports=False)
default_scope = 'mmocr'
evaluator_root = '{{$EVALUATOR_WORDS_ROOT:data/evaluator_words}}'
# Labels keep what the model's dictionary holds (voc_type: 'lower' for CRNN's, 'all' for ASTER's).
voc_type = 'all'
train_dataset = dict(type='TextZoomRecogLMDBDataset', ann_file=f'{evaluator_root}/train', image='hr',
                     voc_type=voc_type)
val_dataset = dict(type='ConcatDataset', datasets=[
    dict(type='TextZoomRecogLMDBDataset', ann_file=f'{evaluator_root}/test/{s}', image='hr', test_mode=True,
         voc_type=voc_type) for s in ('easy', 'medium', 'hard')])
train_dataloader = dict(batch_size=64, num_workers=1, persistent_workers=True, drop_last=True,
                        sampler=dict(type='InfiniteSampler', shuffle=True), dataset=train_dataset)
val_dataloader = dict(batch_size=128, num_workers=1, persistent_workers=False, drop_last=False,
                      sampler=dict(type='DefaultSampler', shuffle=False), dataset=val_dataset)
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='Evaluator',
                     metrics=[dict(type='WordMetric', mode=['exact', 'ignore_case', 'ignore_case_symbol'])])
test_evaluator = val_evaluator
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3), clip_grad=dict(max_norm=5.0))
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(logger=dict(type='LoggerHook', interval=50),
                     checkpoint=dict(type='CheckpointHook', interval=500, by_epoch=False, max_keep_ckpts=1,
                                     save_last=True))
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
randomness = dict(seed=0)
