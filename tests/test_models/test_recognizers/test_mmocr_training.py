"""MMOCR's own training loop on TextZoom-format LMDBs: the dataset reads HR or LR images with normalised labels, the
narrow MiniVGG keeps MiniVGG's layout, an MMOCR evaluator config trains through tools/train_recognizer.py, and the
shipped MMOCR evaluator reads like MMOCR's own TextRecInferencer."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from glyphsr_mm.datasets import TextZoomLMDBWriter, encode_png
from tests.conftest import ROOT

pytest.importorskip('mmocr')
from glyphsr_mm.models.recognizers.mmocr_training import ScaledMiniVGG, TextZoomRecogLMDBDataset  # noqa: E402


@pytest.fixture(scope='module')
def lmdb_dir(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('tz') / 'train')
    rng = np.random.default_rng(0)
    with TextZoomLMDBWriter(path) as w:
        for label in ('Cafe!', 'HOTEL', '--', 'taxi7'):
            w.add(label, lr=encode_png(rng.integers(0, 255, (16, 64, 3), dtype=np.uint8)),
                  hr=encode_png(rng.integers(0, 255, (32, 128, 3), dtype=np.uint8)))
    return path


def test_dataset_reads_hr_or_lr_and_normalises_labels(lmdb_dir):
    pipeline = [dict(type='mmocr.LoadImageFromNDArray')]
    ds = TextZoomRecogLMDBDataset(ann_file=lmdb_dir, image='hr', voc_type='lower', pipeline=pipeline)
    # '--' has nothing in the vocabulary and is left out; case and punctuation go
    assert [ds.get_data_info(i)['instances'][0]['text'] for i in range(len(ds))] == ['cafe', 'hotel', 'taxi7']
    assert ds[0]['img'].shape == (32, 128, 3)
    ds.env.close()  # LMDB opens an environment once per process (MMOCR's dataset keeps it open)
    lr = TextZoomRecogLMDBDataset(ann_file=lmdb_dir, image='lr', pipeline=pipeline)
    assert lr[0]['img'].shape == (16, 64, 3) and len(lr) == 4 and lr.get_data_info(0)['instances'][0]['text'] == 'Cafe!'
    with pytest.raises(ValueError, match="image must be 'hr' or 'lr'"):
        TextZoomRecogLMDBDataset(ann_file=lmdb_dir, image='sr')


def test_scaled_minivgg_keeps_the_layout():
    from mmocr.models.textrecog.backbones import MiniVGG
    full, half = MiniVGG(input_channels=1), ScaledMiniVGG(width=0.5, input_channels=1)
    assert list(full.state_dict()) == list(half.state_dict())
    assert half.cnn.conv0.out_channels == 32 and half.cnn.conv6.out_channels == 256 and half.channels[-1] == 256
    assert half(torch.rand(2, 1, 32, 100)).shape == (2, 256, 1, 26)


def test_mmocr_crnn_evaluator_trains_with_mmocrs_loop(tmp_path):
    data = tmp_path / 'words'
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'dataset_converters', 'make_synthetic_textzoom.py'),
                    str(data), '--num-train', '32', '--num-test', '4', '--seed', '3', '--words', 'evaluator',
                    '--hr-effects'], check=True, cwd=ROOT, capture_output=True)
    work = tmp_path / 'work'
    cfg = os.path.join(ROOT, 'configs', 'recognizers', 'evaluators', 'mmocr_crnn_w0.5_evaluator.py')
    res = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools', 'train_recognizer.py'), cfg, '--work-dir', str(work),
         '--cfg-options', 'max_iters=2', 'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
         'train_dataloader.batch_size=8', 'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
         'val_dataloader.num_workers=0', 'default_hooks.logger.interval=1', 'param_scheduler.0.end=1',
         'param_scheduler.1.begin=1', 'param_scheduler.1.end=2', 'param_scheduler.1.T_max=1'],
        cwd=ROOT, env=dict(os.environ, EVALUATOR_WORDS_ROOT=str(data)), capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert 'recog/word_acc' in res.stdout + res.stderr  # MMOCR's WordMetric ran on the validation split
    published = tmp_path / 'mmocr_crnn.pth'
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'model_converters', 'publish_checkpoint.py'),
                    str(work / 'iter_2.pth'), str(published), '--fp16'], check=True, cwd=ROOT, capture_output=True)
    assert published.stat().st_size > 0


def test_shipped_mmocr_evaluator_reads_like_mmocrs_own_inferencer(tmp_path):
    """The shipped MMOCR CRNN evaluator and its config: MMOCRRecognizer.predict (Table 1's path) gives the strings of
    MMOCR's TextRecInferencer on the same synthetic test words, at HR and at LR size."""
    from mmengine.registry import init_default_scope
    from mmocr.apis import TextRecInferencer

    from glyphsr_mm.datasets import TextZoomLMDB
    from glyphsr_mm.models.recognizers import MMOCRRecognizer
    weights = os.path.join(ROOT, 'checkpoints', 'mmocr_crnn_w0.5_evaluator.pth')
    cfg = os.path.join(ROOT, 'configs', 'recognizers', 'evaluators', 'mmocr_crnn_w0.5_evaluator.py')
    data = tmp_path / 'words'
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'dataset_converters', 'make_synthetic_textzoom.py'),
                    str(data), '--num-train', '0', '--num-test', '8', '--seed', '11'], check=True, cwd=ROOT,
                   capture_output=True)
    db = TextZoomLMDB(str(data / 'test' / 'easy'))
    init_default_scope('mmagic')  # as inside MMagic's runner: the recognizer hands the caller's scope back
    ours = MMOCRRecognizer(config=cfg, checkpoint=weights)
    inferencer = TextRecInferencer(model=cfg, weights=weights, device='cpu')
    init_default_scope('mmagic')
    for kind in ('hr', 'lr'):
        rgb = [db.read_image(kind, i) for i in range(1, 9)]
        theirs = [p['text'] for p in inferencer([np.ascontiguousarray(a[..., ::-1]) for a in rgb],
                                                batch_size=4)['predictions']]
        images = torch.stack([torch.from_numpy(np.array(a)).permute(2, 0, 1) for a in rgb]).float() / 255
        assert ours.predict(images) == theirs, kind
        assert len(set(theirs)) > 1, kind  # not a comparison between constants
