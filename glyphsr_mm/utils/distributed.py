"""Ending a distributed run cleanly."""


def finish_distributed() -> None:
    """Wait for every rank, then destroy the process group (a no-op outside a distributed run).

    A gloo process group still alive when the interpreter exits can abort a rank after its work is done
    ("terminate called without an active exception"), and torchrun then reports the finished job as failed.
    """
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
