"""Confusion-weighted cross-entropy of TBSRN's text focus loss.

The weight table comes from a 62x62 character matrix (rows and columns: ``0-9``, ``A-Z``, ``a-z``; TBSRN's
``confuse.pkl``, here ``confusion_62x62.npy``) whose entries grow with how *dissimilar* two characters are
(zero diagonal). Following ``shared/data/README.md``: prepend an all-ones row (end token) and column (padding),
reorder rows and columns to ``-0123456789abcdefghijklmnopqrstuvwxyz`` + upper case, invert element-wise
(inf -> 1), fold each lower-case column with its upper-case twin by max (off the diagonal), keep 37 x 37.
(TBSRN's own code reorders only the rows and folds columns by the reordered positions; we follow the README's
statement of the intent, which reorders both.) The loss of target ``g`` is
``-log(w[g, g] exp(z_g) / sum_j w[g, j] exp(z_j))``, i.e. a cross-entropy on ``z + log w[g]``.
"""
from typing import Optional, Union

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.registry import MODELS

_SOURCE_ORDER = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
_TARGET_ORDER = '-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'


def confusion_weight_table(matrix: Union[str, np.ndarray]) -> torch.Tensor:
    """37 x 37 weight table (classes ``-0-9a-z``) from a 62x62 matrix or the path of its ``.npy``."""
    m = np.load(matrix, allow_pickle=False) if isinstance(matrix, str) else np.asarray(matrix, dtype=np.float64)
    if m.shape != (62, 62):
        raise ValueError(f'confusion matrix must be 62 x 62 (0-9, A-Z, a-z), got {m.shape}')
    full = np.ones((63, 63))
    full[1:, 1:] = m
    src = {c: i + 1 for i, c in enumerate(_SOURCE_ORDER)}
    order = [0] + [src[c] for c in _TARGET_ORDER[1:]]
    full = full[np.ix_(order, order)]
    with np.errstate(divide='ignore'):
        w = 1.0 / full
    w[np.isinf(w)] = 1.0
    lower = 'abcdefghijklmnopqrstuvwxyz'
    for j, c in enumerate(_TARGET_ORDER):
        if c in lower:
            up = _TARGET_ORDER.index(c.upper())
            rows = np.arange(63) != j
            w[rows, j] = np.maximum(w[rows, j], w[rows, up])
    return torch.tensor(w[:37, :37], dtype=torch.float32)


@MODELS.register_module()
class ConfusionWeightedCELoss(nn.Module):
    """Cross-entropy whose per-target class weights come from :func:`confusion_weight_table`.

    Args:
        confusion: Path of the 62x62 ``.npy`` (e.g. ``shared/data/tbsrn/confusion_62x62.npy``) or None for plain CE.
        ignore_index: Target value that contributes nothing (padding).
    """

    def __init__(self, confusion: Optional[str] = None, ignore_index: int = -100) -> None:
        super().__init__()
        table = confusion_weight_table(confusion) if confusion is not None else torch.ones(37, 37)
        self.register_buffer('log_weight', table.log(), persistent=False)
        self.ignore_index = ignore_index

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """``logits`` N x 37 (or B x T x 37), ``target`` N (or B x T) class indices; mean over valid targets."""
        logits, target = logits.reshape(-1, logits.shape[-1]), target.reshape(-1)
        valid = target != self.ignore_index
        if not valid.any():
            return logits.sum() * 0
        logits, target = logits[valid], target[valid]
        return F.cross_entropy(logits + self.log_weight[target], target)
