"""configs/demo/glyphsr_long_synthetic.py trains through MMEngine's runner with what makes it fast: the autocast
optim wrapper, channels-last generator weights and the text-prior memo; a kill resumes from the last checkpoint."""
import os

import pytest
import torch

from tests.conftest import ROOT

pytest.importorskip('mmagic')
from tests.tiny_glyphsr import make_synthetic  # noqa: E402


def _runner(cfg_path, data, work, max_iters, resume=False):
    from mmengine.config import Config
    from mmengine.runner import Runner
    os.environ['GLYPHSR_DEMO_DATA'] = data
    try:
        cfg = Config.fromfile(cfg_path)
    finally:
        del os.environ['GLYPHSR_DEMO_DATA']
    cfg.merge_from_dict({'work_dir': str(work), 'train_cfg.max_iters': max_iters, 'train_dataloader.batch_size': 4,
                         'train_dataloader.num_workers': 0, 'train_dataloader.persistent_workers': False,
                         'default_hooks.checkpoint.interval': 2, 'default_hooks.checkpoint.save_best': None,
                         'default_hooks.logger.interval': 1, 'resume': resume, 'log_level': 'WARNING'})
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.train_cfg.pop('val_interval')
    return Runner.from_cfg(cfg)


@pytest.mark.parametrize('name', ['glyphsr_long_synthetic.py', 'baseline1_long_synthetic.py'])
def test_long_recipe_trains_fast_and_resumes(tmp_path, name):
    data = make_synthetic(tmp_path / 'synth', num_train=8, num_test=2)
    cfg_path = os.path.join(ROOT, 'configs', 'demo', name)
    runner = _runner(cfg_path, data, tmp_path / 'work', max_iters=4)
    runner.train()
    model = runner.model
    assert type(runner.optim_wrapper).__name__ == 'AutocastOptimWrapper'
    assert type(runner.train_loop).__name__ == 'FastResumeIterBasedTrainLoop'
    assert model.generator.block1[0].weight.is_contiguous(memory_format=torch.channels_last)
    memo = model.text_prior.memo
    # 4 iterations x 4 samples read; every input not seen before is stored (warped ones are new inputs)
    assert memo.max_bytes == 1024 * 2 ** 20 and memo.hits + memo.misses == 16 and len(memo) == memo.misses
    assert all(torch.isfinite(p).all() for p in model.generator.parameters())
    assert hasattr(model.generator, 'char_seg') == name.startswith('glyphsr')
    resumed = _runner(cfg_path, data, tmp_path / 'work', max_iters=6, resume=True)
    resumed.train()
    assert resumed.iter == 6
