"""A checkpoint written by an MMEngine Runner resumes under torch >= 2.6 (weights_only by default)."""
import pickle

import pytest
import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.runner import Runner

import glyphsr_mm  # noqa: F401  (registers the safe globals)
from glyphsr_mm.models.layers import ModulatedDeformConv2d


class _ToyDataset(torch.utils.data.Dataset):
    def __len__(self):
        return 16

    def __getitem__(self, i):
        g = torch.Generator().manual_seed(i)
        return dict(inputs=torch.randn(4, 6, 6, generator=g), target=torch.rand(4, 6, 6, generator=g))


class _ToyDeformModel(BaseModel):
    """Uses the project's deformable conv so its parameters are part of the checkpoint."""

    def __init__(self):
        super().__init__()
        self.offset = nn.Conv2d(4, 18, 3, padding=1)
        self.dcn = ModulatedDeformConv2d(4, 4, 3, padding=1, backend='torchvision')

    def forward(self, inputs, target=None, mode='tensor'):
        x = torch.stack(inputs) if isinstance(inputs, list) else inputs
        y = self.dcn(x, self.offset(x))
        if mode == 'loss':
            t = torch.stack(target) if isinstance(target, list) else target
            return dict(loss=((y - t) ** 2).mean())
        return y


# Warm-up then cosine, as the long recipes: the schedulers scale the learning rate relative to its current value, so
# a resume that did not restore it would go on from the warm-up's first value (1e-4 here).
_WARMUP_THEN_COSINE = [dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0, end=2),
                       dict(type='CosineAnnealingLR', by_epoch=False, begin=2, end=6, T_max=4, eta_min=1e-4)]


def _runner(work_dir, max_iters, resume=False, load_from=None, param_scheduler=None, loop=None):
    train_cfg = dict(by_epoch=False, max_iters=max_iters) if loop is None else dict(type=loop, max_iters=max_iters)
    return Runner(
        model=_ToyDeformModel(), work_dir=str(work_dir),
        train_dataloader=dict(dataset=_ToyDataset(), sampler=dict(type='DefaultSampler', shuffle=True),
                              batch_size=4, num_workers=0),
        train_cfg=train_cfg,
        optim_wrapper=dict(optimizer=dict(type='Adam', lr=1e-2)),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False),
                           logger=dict(type='LoggerHook', interval=1)),
        param_scheduler=param_scheduler, randomness=dict(seed=0), resume=resume, load_from=load_from,
        default_scope='mmengine')


def test_runner_checkpoint_loads_weights_only_and_resumes(tmp_path):
    _runner(tmp_path, max_iters=2).train()
    ckpt = tmp_path / 'iter_2.pth'
    assert ckpt.exists()
    # The weights-only unpickler accepts it (the allow-list covers HistoryBuffer and numpy state) ...
    state = torch.load(ckpt, map_location='cpu', weights_only=True)
    assert state['meta']['iter'] == 2 and 'message_hub' in state
    # ... and a Runner resumes from it and continues counting.
    runner = _runner(tmp_path, max_iters=4, resume=True)
    runner.train()
    assert runner.iter == 4
    assert (tmp_path / 'iter_4.pth').exists()


def test_a_restart_file_resumes_at_its_iteration_and_learning_rate_with_fresh_moments(tmp_path):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    straight = _runner(tmp_path / 'a', max_iters=4, param_scheduler=_WARMUP_THEN_COSINE)
    straight.train()
    restart = tmp_path / 'restart.pth'
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'model_converters', 'publish_checkpoint.py'),
                          str(tmp_path / 'a' / 'iter_2.pth'), str(restart), '--restart', '--fp16'],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    state = torch.load(restart, map_location='cpu', weights_only=True)
    assert state['meta']['iter'] == 2 and state['optimizer']['state'] == {}  # Adam's moments stay behind
    assert state['optimizer']['param_groups'][0]['lr'] == pytest.approx(1e-2)  # the warm-up is over at iteration 2
    assert state['state_dict']['dcn.weight'].dtype == torch.float16
    full = torch.load(tmp_path / 'a' / 'iter_2.pth', map_location='cpu', weights_only=True)['message_hub']
    assert full['log_scalars'] and not state['message_hub']['log_scalars']  # the logged history stays behind
    assert state['message_hub']['runtime_info'].keys() == full['runtime_info'].keys()
    runner = _runner(tmp_path / 'b', max_iters=4, resume=True, load_from=str(restart),
                     param_scheduler=_WARMUP_THEN_COSINE)
    runner.train()
    assert runner.iter == 4
    assert not (tmp_path / 'b' / 'iter_2.pth').exists() and (tmp_path / 'b' / 'iter_4.pth').exists()
    lr = [r.optim_wrapper.get_lr()['lr'][0] for r in (straight, runner)]
    assert lr[1] == pytest.approx(lr[0], rel=1e-6) and lr[0] > 1e-3  # on the run's schedule, not the warm-up's
    torch.save(state['state_dict'], tmp_path / 'weights.pth')  # a plain state dict has no iteration to resume at
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'model_converters', 'publish_checkpoint.py'),
                          str(tmp_path / 'weights.pth'), str(tmp_path / 'again.pth'), '--restart'],
                         capture_output=True, text=True)
    assert res.returncode != 0 and 'not a runner checkpoint with meta, message_hub' in res.stderr


def test_a_checkpoint_without_optimizer_groups_resumes_at_the_schedulers_learning_rate_with_a_warning(
        tmp_path, monkeypatch):
    import logging

    from glyphsr_mm.engine.runner import fast_resume_train_loop

    logged = []
    print_log = fast_resume_train_loop.print_log
    monkeypatch.setattr(fast_resume_train_loop, 'print_log',
                        lambda msg, *a, **k: (logged.append((msg, k.get('level'))), print_log(msg, *a, **k)))

    straight = _runner(tmp_path / 'a', max_iters=4, param_scheduler=_WARMUP_THEN_COSINE)
    straight.train()
    state = torch.load(tmp_path / 'a' / 'iter_2.pth', map_location='cpu', weights_only=True)
    del state['optimizer']  # a restart file from before the parameter groups were kept
    torch.save(state, tmp_path / 'old_restart.pth')
    runner = _runner(tmp_path / 'b', max_iters=4, resume=True, load_from=str(tmp_path / 'old_restart.pth'),
                     param_scheduler=_WARMUP_THEN_COSINE, loop=fast_resume_train_loop.FastResumeIterBasedTrainLoop)
    runner.train()
    lr = [r.optim_wrapper.get_lr()['lr'][0] for r in (straight, runner)]
    assert lr[1] == pytest.approx(lr[0], rel=1e-6) and lr[0] > 1e-3  # not the warm-up's first value (1e-4)
    warnings = [msg for msg, level in logged if level == logging.WARNING]
    assert len(warnings) == 1 and "lacks the optimizer's parameter groups" in warnings[0]
    assert 'publish_checkpoint.py --restart' in warnings[0]


class _NotAllowed:
    pass


def test_other_pickled_objects_are_still_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'x': torch.zeros(1), 'obj': _NotAllowed()}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
