"""Pixel loss of GlyphSR's L_sr: MSE between SR and HR (all channels, the mask channel included, as the release)."""
from typing import Dict

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.registry import MODELS


@MODELS.register_module()
class PixelMSELoss(nn.Module):
    """``{'loss_pix': loss_weight * MSE(sr, hr)}``."""

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, sr: torch.Tensor, hr: torch.Tensor) -> Dict[str, torch.Tensor]:
        if sr.shape != hr.shape:
            raise ValueError(f'SR {tuple(sr.shape)} and HR {tuple(hr.shape)} differ in shape')
        return {'loss_pix': self.loss_weight * F.mse_loss(sr, hr)}
