"""Glyph Perception Module (GPM): predicts character maps, a text-line map and character classes from SR features."""
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.models.layers import GruBlock
from glyphsr_mm.registry import MODELS


def _conv_bn_relu(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


@MODELS.register_module()
class GlyphPerceptionHead(nn.Module):
    """GPM (docs/design.md §2). Release names: ``conv0..conv5``, ``gru``, ``rec_proj``, ``char_heed``, ``seg_heed``,
    ``char_cls``.

    conv0 (C->128) = r0; max-pool 2; conv1 (128->256) = r1; conv2; GRU block; conv3; + r1; conv4 (256->128);
    bilinear up to r0 and + r0; conv5 (128->C). ``num_scales=3`` (the paper's pyramid) inserts one more level
    (``down_conv``/``up_conv`` at a quarter of the resolution) between r1 and conv2; 2 is the release.
    Heads: ``char_heed`` 3x3 C->L = M_char, ``seg_heed`` 3x3 C->1 = M_line. Classes: attention
    ``softmax_positions(M_char * M_line)`` applied to ``rec_proj(x)`` (3x3 C->256, no bias, BN, ReLU) -> Linear,
    where ``x`` is the head's *input* (the SR features), not the decoded features, as in the release's
    ``CharSegHead.forward`` (``x_rec = self.rec_proj(x_raw)``).

    Args:
        in_channels: C (64).
        num_maps: L (16 release, 15 paper).
        num_classes: 39 (36 alphanumerics + pad/end/unknown).
        num_scales: 2 (release) or 3 (paper).
    """

    def __init__(self, in_channels: int = 64, num_maps: int = 16, num_classes: int = 39, num_scales: int = 2) -> None:
        super().__init__()
        if num_scales not in (2, 3):
            raise ValueError(f'num_scales must be 2 or 3, got {num_scales}')
        self.num_maps, self.num_classes, self.num_scales = num_maps, num_classes, num_scales
        self.conv0 = _conv_bn_relu(in_channels, 128)
        self.conv1 = _conv_bn_relu(128, 256)
        if num_scales == 3:
            self.down_conv = _conv_bn_relu(256, 256)
            self.up_conv = _conv_bn_relu(256, 256)
        self.conv2 = _conv_bn_relu(256, 256)
        self.gru = GruBlock(256, 256)
        self.conv3 = _conv_bn_relu(256, 256)
        self.conv4 = _conv_bn_relu(256, 128)
        self.conv5 = _conv_bn_relu(128, in_channels)
        self.rec_proj = nn.Sequential(nn.Conv2d(in_channels, 256, 3, padding=1, bias=False), nn.BatchNorm2d(256),
                                      nn.ReLU(inplace=True))
        self.char_heed = nn.Conv2d(in_channels, num_maps, 3, padding=1)
        self.seg_heed = nn.Conv2d(in_channels, 1, 3, padding=1)
        self.char_cls = nn.Linear(256, num_classes)

    def forward(self, x: torch.Tensor, with_logits: bool = True) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x B x C x H x W -> (M_line B x 1 x H x W, M_char B x L x H x W, class logits B x L x classes).

        ``with_logits=False`` skips the class branch (``rec_proj``, ``char_cls``; logits None): the maps do not
        depend on it, and a training whose loss has no class term need not run it.
        """
        r0 = self.conv0(x)
        r1 = self.conv1(F.max_pool2d(r0, 2))
        y = r1
        if self.num_scales == 3:
            r2 = self.down_conv(F.max_pool2d(r1, 2))
            y = r1 + self.up_conv(F.interpolate(r2, size=r1.shape[-2:], mode='bilinear', align_corners=False))
        y = self.conv3(self.gru(self.conv2(y))) + r1
        y = F.interpolate(self.conv4(y), size=r0.shape[-2:], mode='bilinear', align_corners=False) + r0
        feat = self.conv5(y)
        char_maps = self.char_heed(feat)
        line_map = self.seg_heed(feat)
        if not with_logits:
            return line_map, char_maps, None
        attn = (char_maps * line_map).flatten(2).softmax(-1)  # B x L x HW
        proj = self.rec_proj(x).flatten(2)  # B x 256 x HW, from the head's input
        logits = self.char_cls(attn @ proj.transpose(1, 2))
        return line_map, char_maps, logits
