"""Pixel loss of GlyphSR's L_sr: MSE between SR and HR (all channels, the mask channel included, as the release)."""
from typing import Dict

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.registry import MODELS


@MODELS.register_module()
class PixelMSELoss(nn.Module):
    """``{'loss_pix': loss_weight * MSE(sr, hr)}``, the channels after the third (the text mask) weighted by
    ``mask_weight``.

    Args:
        loss_weight: Weight of the whole term.
        mask_weight: Relative weight of the mask channel(s). 1.0 (the release) averages all channels alike; the
            binary mask's error is about 15x the RGB error at the start of training, so it dominates the gradient
            and a small budget learns the mask and leaves the RGB residual at nothing (docs/reproduction.md).
    """

    def __init__(self, loss_weight: float = 1.0, mask_weight: float = 1.0) -> None:
        super().__init__()
        if mask_weight < 0:
            raise ValueError(f'mask_weight must be >= 0, got {mask_weight}')
        self.loss_weight, self.mask_weight = loss_weight, mask_weight

    def forward(self, sr: torch.Tensor, hr: torch.Tensor) -> Dict[str, torch.Tensor]:
        if sr.shape != hr.shape:
            raise ValueError(f'SR {tuple(sr.shape)} and HR {tuple(hr.shape)} differ in shape')
        if self.mask_weight == 1.0 or sr.shape[1] <= 3:
            return {'loss_pix': self.loss_weight * F.mse_loss(sr, hr)}
        per_channel = F.mse_loss(sr, hr, reduction='none').mean((0, 2, 3))
        weights = torch.ones_like(per_channel)
        weights[3:] = self.mask_weight
        return {'loss_pix': self.loss_weight * (per_channel * weights).sum() / sr.shape[1]}
