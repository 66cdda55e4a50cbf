"""Base of the losses that read SR with a pretrained recognizer whose weights never train."""
from typing import Union

import torch.nn as nn

from glyphsr_mm.registry import MODELS


class FrozenRecognizerLoss(nn.Module):
    """Holds ``self.recognizer``: built from a config (or given), checked for real weights at build time, without
    gradients, and kept in eval mode whatever ``train()`` the restorer calls (BatchNorm statistics stay fixed)."""

    def __init__(self, recognizer: Union[dict, nn.Module]) -> None:
        super().__init__()
        rec = MODELS.build(recognizer) if isinstance(recognizer, dict) else recognizer
        rec.check_weights()  # fail now, not at the first iteration
        self.recognizer = rec.eval().requires_grad_(False)

    def train(self, mode: bool = True):
        super().train(mode)
        self.recognizer.eval()
        return self
