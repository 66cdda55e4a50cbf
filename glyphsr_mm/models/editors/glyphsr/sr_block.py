"""TPGSR's SR block with the text-prior hint (release names: ``conv1``, ``bn1``, ``gru1``, ``conv2``, ``bn2``,
``gru2``)."""
import torch
import torch.nn as nn

from glyphsr_mm.models.layers import GruBlock, Mish


class TextPriorSRBlock(nn.Module):
    """residual = BN(conv(Mish(BN(conv(x))))); GRU block over the height of [residual, hint]; GRU block over the
    width of x + that.

    Args:
        channels: Feature channels (64).
        prior_channels: Text-prior hint channels (32); 0 for a block without hint.
    """

    def __init__(self, channels: int = 64, prior_channels: int = 32) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(channels)
        self.gru1 = GruBlock(channels + prior_channels, channels)
        self.prelu = Mish()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(channels)
        self.gru2 = GruBlock(channels, channels)
        self.prior_channels = prior_channels

    def forward(self, x: torch.Tensor, prior: torch.Tensor = None) -> torch.Tensor:
        res = self.bn2(self.conv2(self.prelu(self.bn1(self.conv1(x)))))
        if self.prior_channels:
            res = torch.cat([res, prior], 1)
        res = self.gru1(res.transpose(-1, -2)).transpose(-1, -2)
        return self.gru2(x + res)
