"""Augmentation randomness that depends on the sample's place in training, not on which worker drew it.

Data-loader workers draw augmentation (``TextRandomAffine``) from their own NumPy generators, seeded once when the
worker starts. With ``persistent_workers`` those generators run on across epochs, so a run resumed from a
checkpoint (fresh workers, fresh generators) augments differently from the uninterrupted run. This sampler gives
every sample a seed from (seed, rank, epoch, position in the epoch's stream), computed in the main process; the
dataset seeds the worker's generators with it before the pipeline runs (``TextZoomDataset.__getitem__`` accepts
``(index, seed)``). What a sample looks like then depends only on where it falls in training, for any number of
workers, persistent or not, and resumed runs match uninterrupted ones (``FastResumeIterBasedTrainLoop`` seeks the
stream with :meth:`SampleSeedSampler.start_at`, MMEngine's iteration-based loop replays it up to the resumed
iteration; the epoch-based loop restarts the epoch with ``set_epoch``).
"""
from typing import Iterator, Optional, Tuple

from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from glyphsr_mm.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class SampleSeedSampler(Sampler):
    """Wrap a sampler (``DefaultSampler``, ``InfiniteSampler``...) so that it yields ``(index, seed)``.

    Args:
        dataset: The dataset (passed by MMEngine's runner).
        sampler: Config of the wrapped sampler (built from MMEngine's ``DATA_SAMPLERS``).
        seed: Base seed; None takes the runner's (``randomness.seed``), synchronised across ranks.
    """

    def __init__(self, dataset, sampler: dict = dict(type='DefaultSampler', shuffle=True),
                 seed: Optional[int] = None) -> None:
        self.seed = sync_random_seed() if seed is None else int(seed)
        self.sampler = DATA_SAMPLERS.build(dict(sampler), default_args=dict(dataset=dataset, seed=self.seed))
        self.rank = get_dist_info()[0]
        self.epoch = 0
        self._start = 0

    def __iter__(self) -> Iterator[Tuple[int, int]]:
        base = (self.seed * 1_000_003 + self.rank * 7_919 + self.epoch * 104_729) % 2 ** 31
        start, self._start = self._start, 0
        for position, index in enumerate(self.sampler):
            if position >= start:
                yield int(index), (base + position * 2_654_435_761) % 2 ** 31

    def __len__(self) -> int:
        return len(self.sampler)

    def start_at(self, position: int) -> None:
        """Begin the next pass at ``position`` in this epoch's stream (same indices and seeds as a full pass from
        there on); later passes start at 0. Used to resume mid-epoch without replaying the data."""
        self._start = int(position)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        if hasattr(self.sampler, 'set_epoch'):
            self.sampler.set_epoch(epoch)
