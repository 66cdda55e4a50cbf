"""A tiny GlyphSR on a tiny synthetic TextZoom, shared by the runner, test-tool and demo tests.

No weights can be downloaded here: every recognizer is tiny and random (``allow_random=True``, which logs loudly).
"""
import os
import subprocess
import sys

from tests.conftest import ROOT, TEST_DATA

CONFUSION = os.path.join(TEST_DATA, 'tbsrn', 'confusion_62x62.npy')
TINY_TBSRN = dict(type='TBSRNTransformerRecognizer', width=0.0625, num_heads=4, layers=(1, 1, 1, 1),
                  allow_random=True, checkpoint=None)
TINY_EVAL_RECOGNIZERS = dict(CRNN=dict(type='TextZoomCRNN', hidden=32, allow_random=True), TBSRN=TINY_TBSRN)
TINY_GENERATOR = dict(channels=16, num_blocks=2, glyph_block=1, prior_channels=8, dcn_backend='torchvision')


def make_synthetic(out_dir, num_train: int = 8, num_test: int = 8, seed: int = 3) -> str:
    """A synthetic TextZoom (train + test/{easy,medium,hard}) written by the project's converter."""
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'dataset_converters', 'make_synthetic_textzoom.py'),
                    str(out_dir), '--num-train', str(num_train), '--num-test', str(num_test), '--seed', str(seed)],
                   check=True, cwd=ROOT, capture_output=True)
    return str(out_dir)


def write_tiny_config(path, data_root: str, extra: str = '') -> str:
    """A config file inheriting configs/glyphsr_textzoom.py with a tiny network, tiny random recognizers and the
    synthetic set as train / val / test data; ``extra`` (config text) is appended."""
    tiny_loader = dict(batch_size=4, num_workers=0, persistent_workers=False)
    test_roots = [os.path.join(data_root, 'test', s) for s in ('easy', 'medium', 'hard')]
    text = f'''_base_ = [{os.path.join(ROOT, 'configs', 'glyphsr_textzoom.py')!r}]
model = dict(
    generator=dict(prior_classes=37, **{TINY_GENERATOR!r}),
    text_prior=dict(recognizer=dict(_delete_=True, **{TINY_TBSRN!r})),
    text_focus_loss=dict(confusion={CONFUSION!r}, recognizer=dict(_delete_=True, **{TINY_TBSRN!r})))
eval_recognizers = {TINY_EVAL_RECOGNIZERS!r}
val_evaluator = dict(metrics=[
    dict(type='TextRecognitionAccuracy', recognizers=eval_recognizers, rows=('SR', ), recognizer_device='cpu'),
    dict(type='PSNR', crop_border=0), dict(type='SSIM', crop_border=0)])
test_evaluator = dict(metrics=[
    dict(type='TextRecognitionAccuracy', recognizers=eval_recognizers, rows=('LR', 'SR', 'HR'),
         recognizer_device='cpu'),
    dict(type='PSNR', crop_border=0), dict(type='SSIM', crop_border=0)])
train_pipeline = [  # the synthetic set's exact glyph masks ('render')
    dict(type='LoadTextZoomImages', lr_size=(16, 64), hr_size=(32, 128)),
    dict(type='AddTextMaskChannel'),
    dict(type='GlyphExtraction', mode='render', num_maps=16, required=True),
    dict(type='TextRandomAffine', prob=0.5),
    dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset', 'index', 'lmdb_path'],
         data_keys=['gt_char_masks', 'gt_line_mask']),
]
train_dataloader = dict(dataset=dict(data_root=[{os.path.join(data_root, 'train')!r}], pipeline=train_pipeline),
                        **{tiny_loader!r})
val_dataloader = dict(dataset=dict(data_root={test_roots!r}), **{tiny_loader!r})
test_dataloader = dict(dataset=dict(data_root={test_roots!r}), **{tiny_loader!r})
''' + extra
    with open(path, 'w') as f:
        f.write(text)
    return str(path)


def save_tiny_checkpoint(config_path: str, out_path, seed: int = 0) -> str:
    """A randomly initialised model of ``config_path`` saved like a runner checkpoint (``state_dict`` + meta)."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from glyphsr_mm.registry import MODELS
    init_default_scope('mmagic')
    torch.manual_seed(seed)
    model = MODELS.build(Config.fromfile(config_path).model)
    torch.save(dict(state_dict=model.state_dict(), meta=dict(seed=seed)), out_path)
    return str(out_path)
