"""Memoise a frozen network's per-sample outputs by the bytes of the sample's input.

A frozen recognizer in eval mode maps each row of a batch to its output independently of the other rows, so its
output for an input it has already seen can be looked up instead of recomputed. Training data repeat every epoch
and an augmentation that fires with probability p leaves 1 - p of them untouched, so from the second epoch on that
share of the rows is a hit. The key is the content (a BLAKE2 digest of the row's bytes and an optional extra key such
as the label), never a sample index: a row changed by any augmentation is a different key, so a hit is exactly the
computation it replaces (up to the last bits that batch composition moves in float arithmetic).
"""
from collections import OrderedDict
from hashlib import blake2b
from typing import Callable, List, Optional, Sequence, Tuple

import torch


class RowMemo:
    """Least-recently-used memo of per-row outputs, bounded in bytes.

    Args:
        max_bytes: Memory budget of the stored outputs; the least recently used rows leave first. 0 disables the
            memo (every call computes).
    """

    def __init__(self, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError(f'max_bytes must be >= 0, got {max_bytes}')
        self.max_bytes = int(max_bytes)
        self._rows: 'OrderedDict[bytes, Tuple[torch.Tensor, ...]]' = OrderedDict()
        self.nbytes = 0
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._rows)

    @staticmethod
    def _keys(inputs: torch.Tensor, extras: Sequence[bytes]) -> List[bytes]:
        host = inputs.detach().contiguous().cpu().numpy()  # one device-to-host copy per batch
        shape = str(host.shape[1:]).encode()
        return [blake2b(row.tobytes() + shape + extra, digest_size=16).digest() for row, extra in zip(host, extras)]

    def __call__(self, fn: Callable[[torch.Tensor, List[int]], Tuple[torch.Tensor, ...]], inputs: torch.Tensor,
                 extra_keys: Optional[Sequence[str]] = None) -> Tuple[torch.Tensor, ...]:
        """``fn(inputs[idx], idx)`` for the rows not seen before; the stored rows for the others.

        Args:
            fn: Computes the outputs of a sub-batch: a tuple of tensors, each with the rows first. It gets the row
                indices too, to select row-wise side inputs (e.g. labels).
            inputs: B x ... batch whose rows key the memo.
            extra_keys: One string per row added to its key (e.g. the label of a teacher-forced read).

        Returns:
            The tuple of outputs for all B rows, in order, as ``fn`` returns it for the whole batch.
        """
        if not self.max_bytes:
            return tuple(fn(inputs, list(range(inputs.shape[0]))))
        extras = [k.encode() for k in extra_keys] if extra_keys is not None else [b''] * inputs.shape[0]
        keys = self._keys(inputs, extras)
        found = [self._rows.get(k) for k in keys]
        missing = [i for i, f in enumerate(found) if f is None]
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        for k, f in zip(keys, found):
            if f is not None:
                self._rows.move_to_end(k)
        if missing:
            out = tuple(fn(inputs[missing], missing))
            for j, i in enumerate(missing):
                found[i] = tuple(t[j].detach().clone() for t in out)
                self._store(keys[i], found[i])
        return tuple(torch.stack([f[n] for f in found]) for n in range(len(found[0])))

    def _store(self, key: bytes, row: Tuple[torch.Tensor, ...]) -> None:
        size = sum(t.numel() * t.element_size() for t in row)
        if size > self.max_bytes:
            return
        self._rows[key] = row
        self.nbytes += size
        while self.nbytes > self.max_bytes:
            _, old = self._rows.popitem(last=False)
            self.nbytes -= sum(t.numel() * t.element_size() for t in old)
