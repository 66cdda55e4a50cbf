"""An iteration-based training loop whose resume seeks the sampler instead of replaying the data."""
import logging
import math

from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop
from mmengine.runner.loops import _InfiniteDataloaderIterator

from glyphsr_mm.registry import LOOPS


class _SkipFirst:
    """Wraps an iterator: the first ``count`` ``next()`` calls return None without touching it."""

    def __init__(self, iterator, count: int) -> None:
        self.iterator, self.count = iterator, count

    def __iter__(self):
        return self

    def __next__(self):
        if self.count > 0:
            self.count -= 1
            return None
        return next(self.iterator)


@LOOPS.register_module()
class FastResumeIterBasedTrainLoop(IterBasedTrainLoop):
    """MMEngine's ``IterBasedTrainLoop``, resumed in seconds at any iteration.

    On resume at iteration ``i``, MMEngine's loop draws ``i`` batches through the whole data pipeline and throws
    them away, so that training goes on with the batch it would have seen: minutes per thousand iterations when
    the pipeline renders glyph masks. Where the sampler can seek (``SampleSeedSampler``: it knows each sample's
    place in the stream), this loop puts the sampler at epoch ``i // len(dataloader)``, batch
    ``i % len(dataloader)`` instead, and the batches that follow are the same ones, with the same augmentation
    seeds (tests/test_engine/test_fast_resume_train_loop.py). Other samplers resume as MMEngine does.

    A checkpoint without the optimizer's parameter groups (a weights file with meta and schedulers, a restart file
    written by an older ``publish_checkpoint.py``) would resume at the optimizer's initial learning rate, because
    MMEngine's schedulers scale the current value: the loop sets each scheduled value to the one the schedulers
    reached and says so in a warning.

    Args: those of ``IterBasedTrainLoop``.
    """

    def run(self):
        if self._iter > 0:
            self._restore_scheduled_values()
            self._seek(self._iter)
        return super().run()

    def _restore_scheduled_values(self) -> None:
        schedulers = self.runner.param_schedulers
        if not schedulers:
            return
        lists = schedulers.values() if isinstance(schedulers, dict) else [schedulers]
        # The scheduler of each value that steps last in an iteration holds what the optimizer should hold.
        last_per_value = {}
        for scheduler_list in lists:
            for scheduler in scheduler_list:
                last_per_value[(id(scheduler.optimizer), scheduler.param_name)] = scheduler
        for last in last_per_value.values():
            reached = getattr(last, '_last_value', None)
            param_groups = last.optimizer.param_groups
            if reached is None or len(reached) != len(param_groups):
                continue
            held = [g[last.param_name] for g in param_groups]
            if all(math.isclose(h, r, rel_tol=1e-9) for h, r in zip(held, reached)):
                continue
            for g, value in zip(param_groups, reached):
                g[last.param_name] = value
            print_log(f'Resuming at iteration {self._iter}: the optimizer held {last.param_name}={held} but the '
                      f'parameter schedulers had reached {reached} (the checkpoint lacks the optimizer\'s parameter '
                      'groups); set to the schedulers\' values. Re-publish restart files with '
                      'tools/model_converters/publish_checkpoint.py --restart to keep them.',
                      logger='current', level=logging.WARNING)

    def _seek(self, iteration: int) -> None:
        sampler = getattr(self.dataloader, 'sampler', None)
        batches = len(self.dataloader)
        if not hasattr(sampler, 'start_at') or batches == 0 or self.dataloader.batch_sampler is None:
            return  # MMEngine replays the stream
        epoch, batch = divmod(iteration, batches)
        sampler.set_epoch(epoch)
        sampler.start_at(batch * self.dataloader.batch_size)
        iterator = _InfiniteDataloaderIterator(self.dataloader)
        iterator._epoch = epoch  # its next epoch boundary calls set_epoch(epoch + 1)
        # MMEngine's run() then calls next() `iteration` times: make those free.
        self.dataloader_iterator = _SkipFirst(iterator, iteration)
        print_log(f'Resuming at iteration {iteration}: sampler set to epoch {epoch}, batch {batch} of {batches}; '
                  'earlier batches are not replayed (MMEngine\'s "Advance dataloader" below costs nothing)',
                  logger='current', level=logging.INFO)
