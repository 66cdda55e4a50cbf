"""Per-iteration seeding, so that a run resumed from a checkpoint draws the same random numbers as an
uninterrupted one (augmentation in the main process, the text prior's drop, dropout)."""
from mmengine.hooks import Hook
from mmengine.runner import set_random_seed

from glyphsr_mm.registry import HOOKS


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's (all devices) global generators with MMEngine's ``set_random_seed``
    (leaving the deterministic flags as the runner set them)."""
    set_random_seed(seed % 2 ** 31)


@HOOKS.register_module()
class IterationSeedHook(Hook):
    """Reseed the global generators from (seed, rank, iteration) before each training iteration and from (seed,
    rank, epoch) before each epoch.

    MMEngine's resume restores model, optimizer, schedulers and the sampler's epoch, but not the global generators,
    which the rest of the run then draws from in a different state. With this hook every draw depends only on the
    position in training, so resuming at a checkpoint (epoch-based loops; iteration-based loops with data-loader
    workers, whose seeds MMEngine derives from the seed and rank) reproduces the uninterrupted run exactly in
    deterministic mode. Validation in between does not shift the streams either.

    Args:
        seed: Base seed; None takes the runner's (``randomness.seed``), or 0 if that is unset.
    """

    priority = 'HIGHEST'

    def __init__(self, seed=None) -> None:
        self.seed = seed

    def _base(self, runner) -> int:
        base = self.seed if self.seed is not None else getattr(runner, 'seed', None)
        return (0 if base is None else int(base)) + 1_000_003 * runner.rank

    def before_train_epoch(self, runner) -> None:
        seed_everything(self._base(runner) + 7_919 * (runner.epoch + 1) + 2 ** 30)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        seed_everything(self._base(runner) + runner.iter)
