"""Training throughput in images per second, logged with the losses (MMEngine logs seconds per iteration)."""
from typing import Optional

from mmengine.hooks import Hook

from glyphsr_mm.registry import HOOKS


@HOOKS.register_module()
class ThroughputHook(Hook):
    """Add ``images_per_s`` (all ranks together: batch x world size / iteration time) to the training log, the
    TensorBoard scalars included. Runs after ``IterTimerHook``, which measures the iteration time."""

    priority = 'BELOW_NORMAL'

    def after_train_iter(self, runner, batch_idx: int, data_batch: Optional[dict] = None, outputs=None) -> None:
        if not data_batch or 'train/time' not in runner.message_hub.log_scalars:
            return
        seconds = runner.message_hub.get_scalar('train/time').current()
        if seconds > 0:
            images = len(data_batch['inputs']) * runner.world_size
            runner.message_hub.update_scalar('train/images_per_s', images / seconds)
