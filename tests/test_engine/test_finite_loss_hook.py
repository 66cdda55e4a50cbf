"""FiniteLossHook: a NaN/Inf loss term stops training with the iteration and the term named."""
from types import SimpleNamespace

import pytest
import torch

from glyphsr_mm.engine import FiniteLossHook, NonFiniteLossError


def test_names_iteration_and_term():
    hook = FiniteLossHook()
    runner = SimpleNamespace(iter=41, epoch=2)
    hook.after_train_iter(runner, 3, outputs=dict(loss=torch.tensor(1.5), loss_mse=torch.tensor(1.0)))
    with pytest.raises(NonFiniteLossError, match=r'iteration 42 \(epoch 3, batch 3\): loss_glyph_char = nan; '
                                                 r'other terms: loss_mse = 1\b'):
        hook.after_train_iter(runner, 3, outputs=dict(loss_mse=torch.tensor(1.0),
                                                      loss_glyph_char=torch.tensor(float('nan'))))
    with pytest.raises(NonFiniteLossError, match='loss_hog = inf'):
        hook.after_train_iter(runner, 0, outputs=dict(loss_hog=float('inf')))
    hook.after_train_iter(runner, 0, outputs=dict(grad_norm=float('nan')))  # not a loss term
    hook.after_train_iter(runner, 0, outputs=None)
