"""Configs that cannot work fail before training, saying what to change."""
import glob
import os
import subprocess
import sys

import pytest
from mmengine.config import Config

from glyphsr_mm.cli.config_checks import ConfigError, check_config
from tests.conftest import ROOT

CONFIGS = sorted(glob.glob(os.path.join(ROOT, 'configs', 'glyphsr*.py'))
                 + glob.glob(os.path.join(ROOT, 'configs', 'glyphsr', '*.py')))


@pytest.mark.parametrize('path', CONFIGS, ids=os.path.basename)
def test_shipped_configs_pass(path):
    check_config(Config.fromfile(path))


def test_glyph_maps_must_cover_max_len_and_mask_loader():
    cfg = Config.fromfile(os.path.join(ROOT, 'configs', 'glyphsr_textzoom.py'))
    cfg.train_dataloader.dataset.max_len = 20
    with pytest.raises(ConfigError, match=r'num_maps \(L = 16\) is smaller than train_dataloader.dataset.max_len '
                                          r'\(20\): set num_maps >= 20 or max_len <= 16'):
        check_config(cfg)
    cfg.train_dataloader.dataset.max_len = 15
    check_config(cfg)
    cfg.train_dataloader.dataset.pipeline[2].num_maps = 15
    with pytest.raises(ConfigError, match=r"GlyphExtraction\(mode='sam', num_maps=15\) differs"):
        check_config(cfg)
    cfg.train_dataloader.dataset.pipeline[2] = dict(type='LoadTextZoomGlyphMasks', num_maps=14)
    with pytest.raises(ConfigError, match=r"LoadTextZoomGlyphMasks\(mode='render', num_maps=14\) differs"):
        check_config(cfg)
    del cfg.train_dataloader.dataset.pipeline[2]
    with pytest.raises(ConfigError, match='model.glyph_loss is set but the training pipeline has no glyph-mask step'):
        check_config(cfg)
    cfg.model.generator.glyph_block, cfg.model.glyph_loss = None, None  # Baseline1: nothing to check
    check_config(cfg)


@pytest.mark.parametrize('option,message', [
    ('train_dataloader.dataset.max_len=24', 'set num_maps >= 24 or max_len <= 16'),
    ('model.generator.glyph_block=9', r'glyph_block \(N_gly\) must be in 1..5'),
    ('model.text_prior.recognizer.checkpoint=/nonexistent/parseq.pt', 'checkpoint not found: /nonexistent/parseq.pt'),
])
def test_train_tool_refuses_before_training(tmp_path, option, message):
    pytest.importorskip('mmagic')
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'train.py'),
                          os.path.join(ROOT, 'configs', 'glyphsr_textzoom.py'), '--work-dir', str(tmp_path),
                          '--cfg-options', option], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode != 0
    import re
    assert re.search(message, res.stderr), res.stderr[-2000:]
    assert 'Iter(train)' not in res.stdout + res.stderr and 'Epoch(train)' not in res.stdout + res.stderr
