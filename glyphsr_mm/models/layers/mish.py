import torch
import torch.nn as nn
import torch.nn.functional as F


class Mish(nn.Module):
    """x * tanh(softplus(x)) (TPGSR's SR blocks and upsampler)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.mish(x)
