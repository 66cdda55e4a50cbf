"""Differentiable HOG loss (L_hog): L1 between histogram-of-oriented-gradient descriptors of SR and HR."""
import math
from typing import Dict

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.utils.image import GRAY_WEIGHTS
from glyphsr_mm.registry import MODELS


def hog_descriptor(images: torch.Tensor, bins: int = 9, cell: int = 4, eps: float = 1e-6) -> torch.Tensor:
    """B x C x H x W in [0, 1] -> B x bins x H/cell x W/cell (unsigned orientations, soft binning, L2 per cell).

    Gradients by central differences on the gray image; each pixel's magnitude is split linearly between the two
    nearest orientation bins (so the descriptor is differentiable almost everywhere); cells average-pool it.
    Always computed in float32, also under autocast (atan2 and the bin split are too coarse in half precision).
    """
    with torch.autocast(images.device.type, enabled=False):
        return _hog_fp32(images.float(), bins, cell, eps)


def _hog_fp32(images: torch.Tensor, bins: int, cell: int, eps: float) -> torch.Tensor:
    x = images[:, :3] if images.shape[1] >= 3 else images
    if x.shape[1] == 3:
        x = (x * x.new_tensor(GRAY_WEIGHTS).view(1, 3, 1, 1)).sum(1, keepdim=True)
    kx = x.new_tensor([[-1.0, 0.0, 1.0]]).view(1, 1, 1, 3)
    gx = F.conv2d(F.pad(x, (1, 1, 0, 0), mode='replicate'), kx)
    gy = F.conv2d(F.pad(x, (0, 0, 1, 1), mode='replicate'), kx.transpose(2, 3))
    mag = torch.sqrt(gx ** 2 + gy ** 2 + eps)
    ang = torch.atan2(gy, gx) % math.pi  # unsigned orientation in [0, pi)
    pos = ang / math.pi * bins  # [0, bins)
    lo = pos.floor()
    w_hi = pos - lo
    lo = lo.long() % bins
    hi = (lo + 1) % bins
    hist = torch.zeros(x.shape[0], bins, *x.shape[-2:], device=x.device, dtype=x.dtype)
    hist = hist.scatter_add(1, lo, mag * (1 - w_hi)).scatter_add(1, hi, mag * w_hi)
    hist = F.avg_pool2d(hist, cell)
    return hist / (hist.norm(dim=1, keepdim=True) + eps)


@MODELS.register_module()
class HOGLoss(nn.Module):
    """``{'loss_hog': loss_weight * L1(HOG(sr), HOG(hr))}`` on the RGB channels.

    Args:
        loss_weight: 0.1 in the paper.
        bins: Orientation bins (9).
        cell: Cell size in pixels (4 on 32x128 images: an 8 x 32 grid of cells).
    """

    def __init__(self, loss_weight: float = 0.1, bins: int = 9, cell: int = 4) -> None:
        super().__init__()
        self.loss_weight, self.bins, self.cell = loss_weight, bins, cell

    def forward(self, sr: torch.Tensor, hr: torch.Tensor) -> Dict[str, torch.Tensor]:
        with torch.no_grad():
            target = hog_descriptor(hr, self.bins, self.cell)
        return {'loss_hog': self.loss_weight * F.l1_loss(hog_descriptor(sr, self.bins, self.cell), target)}
