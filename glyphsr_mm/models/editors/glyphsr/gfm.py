"""Glyph Fusion Module (GFM): fuses the predicted character maps into the SR features."""
import torch
import torch.nn as nn

from glyphsr_mm.models.layers import DSTA, ChannelAttention
from glyphsr_mm.registry import MODELS


@MODELS.register_module()
class GlyphFusionNeck(nn.Module):
    """GFM (docs/design.md §2). Release names: ``conv1``, ``conv2``, ``channel_wise_attn``, ``conv3``, ``dsta``.

    x -> 1x1 conv C->L + BN + ReLU -> 3x3 conv L->L + BN + ReLU; times ChannelAttention(M_char) (squeeze 1);
    1x1 conv L->C + BN; DSTA(C); + x; ReLU.

    Args:
        channels: C (64).
        num_maps: L (16), the channels of M_char.
        dcn_backend: Deformable-conv backend of the DSTA block.
    """

    def __init__(self, channels: int = 64, num_maps: int = 16, dcn_backend: str = 'auto') -> None:
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(channels, num_maps, 1, bias=False), nn.BatchNorm2d(num_maps),
                                   nn.ReLU(inplace=True))
        self.conv2 = nn.Sequential(nn.Conv2d(num_maps, num_maps, 3, padding=1), nn.BatchNorm2d(num_maps),
                                   nn.ReLU(inplace=True))
        self.channel_wise_attn = ChannelAttention(num_maps, squeeze_factor=1)
        self.conv3 = nn.Sequential(nn.Conv2d(num_maps, channels, 1, bias=False), nn.BatchNorm2d(channels))
        self.dsta = DSTA(channels, dcn_backend=dcn_backend)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor, char_maps: torch.Tensor) -> torch.Tensor:
        y = self.conv2(self.conv1(x)) * self.channel_wise_attn(char_maps)
        return self.relu(x + self.dsta(self.conv3(y)))
