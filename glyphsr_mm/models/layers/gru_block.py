import torch
import torch.nn as nn


class GruBlock(nn.Module):
    """1x1 conv to ``out_channels``, then a bidirectional GRU along the width (hidden = out/2) (TSRN).

    Input and output are B x C x H x W; each of the B*H rows is one sequence over W.
    Parameter names (``conv1``, ``gru``) follow the TSRN/TPGSR/GlyphSR checkpoints.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        if out_channels % 2:
            raise ValueError(f'GruBlock out_channels must be even (bidirectional halves), got {out_channels}')
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=1)
        self.gru = nn.GRU(out_channels, out_channels // 2, bidirectional=True, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)
        b, c, h, w = x.shape
        seq = x.permute(0, 2, 3, 1).reshape(b * h, w, c)
        if seq.device.type == 'cpu' and torch.is_autocast_enabled('cpu'):
            # CPU autocast would run the GRU's small per-step matmuls in bf16, slower than fp32 at these sizes.
            with torch.autocast('cpu', enabled=False):
                seq, _ = self.gru(seq.float())
        else:
            seq, _ = self.gru(seq)
        return seq.reshape(b, h, w, c).permute(0, 3, 1, 2).contiguous()
