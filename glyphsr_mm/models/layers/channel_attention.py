import torch
import torch.nn as nn


class ChannelAttention(nn.Module):
    """RCAN channel attention: x * sigmoid(conv(relu(conv(avgpool(x))))).

    Args:
        channels: Channels of ``x``.
        squeeze_factor: Channel reduction inside (GlyphSR's GFM uses 1).
    """

    def __init__(self, channels: int, squeeze_factor: int = 16) -> None:
        super().__init__()
        mid = max(channels // squeeze_factor, 1)
        # Index layout (1 and 3 hold weights) matches the release's `channel_wise_attn.attention.*` keys.
        self.attention = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Conv2d(channels, mid, 1), nn.ReLU(inplace=True),
            nn.Conv2d(mid, channels, 1), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.attention(x)
