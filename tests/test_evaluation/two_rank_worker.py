"""Worker of the two-rank test: ``python -m torch.distributed.run --nproc_per_node=2 two_rank_worker.py OUT``.

Each rank processes every other batch of the test's fixed batches; rank 0 saves the gathered metrics to OUT.
"""
import os
import sys

import torch
import torch.distributed as dist

sys.path.insert(0, os.path.dirname(__file__))
from test_text_recognition_accuracy import LookupRecognizer, TextRecognitionAccuracy, sample  # noqa: E402


def main(out_path: str) -> None:
    dist.init_process_group('gloo')
    rank, world = dist.get_rank(), dist.get_world_size()
    batches = [[sample(i % 2, 'ok', 'easy' if i % 3 else 'hard') for i in range(j, j + 3)] for j in range(0, 12, 3)]
    mine = batches[rank::world]
    metric = TextRecognitionAccuracy(dict(R=LookupRecognizer(['ok', 'no'])))
    metric.dataset_meta = dict(subsets=['easy', 'hard'])
    for batch in mine:
        metric.process(None, batch)
    metric.size = sum(len(b) for b in batches)
    counts = [None] * world
    dist.all_gather_object(counts, len(metric.results))
    metrics = metric.evaluate()  # collects the results of all ranks, computes on rank 0, broadcasts
    if rank == 0:
        torch.save(dict(world_size=world, rank_samples=counts, metrics=metrics), out_path)
    dist.destroy_process_group()


if __name__ == '__main__':
    main(sys.argv[1])
