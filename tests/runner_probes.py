"""Hooks the distributed and resume tests add to their configs (``custom_imports=['tests.runner_probes']``)."""
import json
import os
import signal

from mmengine.hooks import Hook

from glyphsr_mm.registry import HOOKS


@HOOKS.register_module()
class LossRecorderHook(Hook):
    """Append each rank's loss terms per iteration, and a checksum of its parameters (``param_sum``), to
    ``{out_dir}/losses_rank{R}.jsonl``."""

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        os.makedirs(self.out_dir, exist_ok=True)
        model = getattr(runner.model, 'module', runner.model)
        row = dict(iter=runner.iter + 1, **{k: float(v) for k, v in (outputs or {}).items()},
                   param_sum=float(sum(p.detach().double().sum() for p in model.parameters())))
        with open(os.path.join(self.out_dir, f'losses_rank{runner.rank}.jsonl'), 'a') as f:
            f.write(json.dumps(row) + '\n')


@HOOKS.register_module()
class SigkillAtIterHook(Hook):
    """SIGKILL this process right after iteration ``at_iter`` (1-based) unless ``skip_file`` exists: a crash in
    the middle of an epoch, with nothing flushed or cleaned up."""

    def __init__(self, at_iter: int, skip_file: str) -> None:
        self.at_iter, self.skip_file = at_iter, skip_file

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        if runner.iter + 1 == self.at_iter and not os.path.exists(self.skip_file):
            open(self.skip_file, 'w').close()
            os.kill(os.getpid(), signal.SIGKILL)
