"""The dataset configs: real TextZoom layout and the synthetic set give the same sample structure."""
import os
import subprocess
import sys

import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope

from glyphsr_mm.datasets import TextZoomDataset, TextZoomLMDBWriter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _structure(sample):
    inputs, ds = sample['inputs'], sample['data_samples']
    return (tuple(inputs.shape), str(inputs.dtype), tuple(ds.gt_img.shape), sorted(ds.metainfo))


def test_real_layout_and_synthetic_give_identical_samples(tmp_path, monkeypatch):
    real = tmp_path / 'textzoom'
    rng = np.random.default_rng(0)
    for folder in ('train1', 'train2', 'test/easy', 'test/medium', 'test/hard'):
        with TextZoomLMDBWriter(str(real / folder)) as w:  # real TextZoom: images of varying sizes
            for i in range(3):
                w.add(f'word{i}', lr=rng.integers(0, 255, (14 + i, 60 + i, 3), np.uint8),
                      hr=rng.integers(0, 255, (30 + i, 120 + 3 * i, 3), np.uint8))
    syn = tmp_path / 'syn'
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'dataset_converters', 'make_synthetic_textzoom.py'),
                    str(syn), '--num-train', '6', '--num-test', '3', '--workers', '1'], check=True, capture_output=True)
    monkeypatch.setenv('TEXTZOOM_ROOT', str(real))
    monkeypatch.setenv('SYNTHETIC_TEXTZOOM_ROOT', str(syn))
    init_default_scope('mmagic')
    cfg_real = Config.fromfile(os.path.join(ROOT, 'configs', '_base_', 'datasets', 'textzoom.py'))
    cfg_syn = Config.fromfile(os.path.join(ROOT, 'configs', '_base_', 'datasets', 'textzoom_synthetic.py'))
    assert cfg_real.train_dataloader.dataset.data_root == [f'{real}/train1', f'{real}/train2']
    for split in ('val_dataloader', 'train_dataloader'):
        dr = dict(cfg_real[split].dataset)
        dsyn = dict(cfg_syn[split].dataset)
        dr.pop('type'), dsyn.pop('type')
        a, b = TextZoomDataset(**dr)[0], TextZoomDataset(**dsyn)[0]
        assert _structure(a) == _structure(b)
        assert tuple(a['inputs'].shape) == (4, 16, 64) and tuple(a['data_samples'].gt_img.shape) == (4, 32, 128)
    # The synthetic training samples also carry the exact glyph masks as data.
    b = TextZoomDataset(**{k: v for k, v in cfg_syn.train_dataloader.dataset.items() if k != 'type'})[0]
    assert tuple(b['data_samples'].gt_char_masks.shape) == (16, 32, 128)
    subsets = {d['subset'] for d in TextZoomDataset(**{k: v for k, v in cfg_real.val_dataloader.dataset.items()
                                                       if k != 'type'}).load_data_list()}
    assert subsets == {'easy', 'medium', 'hard'}
