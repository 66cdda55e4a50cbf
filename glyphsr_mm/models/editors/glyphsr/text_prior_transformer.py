"""The text-prior (TP) transformer of TPGSR/GlyphSR: recognizer probabilities B x D x 1 x T -> B x C x H x W."""
from typing import Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.registry import MODELS


@MODELS.register_module()
class TextPriorTransformer(nn.Module):
    """Four 3x3 transposed convolutions (D->512 s2, 512->128 s2, 128->64 s2, 64->C s(2,1)), each + BN + ReLU.

    Its output is resized to the LR feature size by the caller (``GlyphSRNet``), which then applies a DSTA block
    (``dsta_rec``); parameter names ``tconv1..4``/``bn1..4`` follow the release's ``infoGen``.

    Args:
        in_channels: D, the recognizer's classes (95 PARSeq, 37 CRNN/TBSRN).
        out_channels: C_tp (32).
        paddings: Paddings of tconv3 and tconv4 (docs/design.md §2: 1; TPGSR's InfoGen used (0, 1)). Only the spatial size
            before the resize changes; weights are the same shape either way.
    """

    def __init__(self, in_channels: int, out_channels: int = 32,
                 paddings: Sequence = (1, 1)) -> None:
        super().__init__()
        self.tconv1 = nn.ConvTranspose2d(in_channels, 512, 3, 2, bias=False)
        self.bn1 = nn.BatchNorm2d(512)
        self.tconv2 = nn.ConvTranspose2d(512, 128, 3, 2, bias=False)
        self.bn2 = nn.BatchNorm2d(128)
        self.tconv3 = nn.ConvTranspose2d(128, 64, 3, 2, padding=paddings[0], bias=False)
        self.bn3 = nn.BatchNorm2d(64)
        self.tconv4 = nn.ConvTranspose2d(64, out_channels, 3, (2, 1), padding=paddings[1], bias=False)
        self.bn4 = nn.BatchNorm2d(out_channels)

    def forward(self, prior: torch.Tensor, size: Tuple[int, int] = None) -> torch.Tensor:
        """``prior`` B x D x 1 x T -> B x C x h x w; bilinearly resized to ``size`` (H, W) when given."""
        if prior.dim() != 4 or prior.shape[1] != self.tconv1.in_channels:
            raise ValueError(f'text prior must be B x {self.tconv1.in_channels} x 1 x T, got {tuple(prior.shape)}')
        x = F.relu(self.bn1(self.tconv1(prior)))
        x = F.relu(self.bn2(self.tconv2(x)))
        x = F.relu(self.bn3(self.tconv3(x)))
        x = F.relu(self.bn4(self.tconv4(x)))
        if size is not None:
            x = F.interpolate(x, size=tuple(size), mode='bilinear', align_corners=True)  # as TPGSR
        return x
