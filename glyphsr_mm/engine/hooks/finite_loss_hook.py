"""Stop training at the first NaN/Inf loss, naming the iteration and the loss term (MMEngine's
``CheckInvalidLossHook`` checks only the total, every ``interval`` iterations)."""
import math
from typing import Optional

import torch
from mmengine.hooks import Hook

from glyphsr_mm.registry import HOOKS


class NonFiniteLossError(RuntimeError):
    """A loss term became NaN or Inf."""


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """After every training iteration, check each logged loss term; raise :class:`NonFiniteLossError` naming the
    iteration (1-based), the epoch and the bad term(s), with the other terms' values for context.

    The runner's logging reads these values every iteration anyway, so the check adds no synchronisation.
    """

    priority = 'ABOVE_NORMAL'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs: Optional[dict] = None) -> None:
        if not outputs:
            return
        values = {k: float(v.detach().float().mean()) if isinstance(v, torch.Tensor) else float(v)
                  for k, v in outputs.items() if k.startswith('loss')}
        bad = {k: v for k, v in values.items() if not math.isfinite(v)}
        if bad:
            terms = ', '.join(f'{k} = {v}' for k, v in bad.items())
            rest = ', '.join(f'{k} = {v:.4g}' for k, v in values.items() if k not in bad)
            raise NonFiniteLossError(
                f'non-finite loss at iteration {runner.iter + 1} (epoch {runner.epoch + 1}, batch {batch_idx}): '
                f'{terms}' + (f'; other terms: {rest}' if rest else '') + '. Lower the learning rate, check the '
                'inputs of that batch, or try without --amp.')
