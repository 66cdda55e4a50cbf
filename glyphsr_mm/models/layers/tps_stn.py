"""Thin-plate-spline rectification (ASTER; used by TSRN/TPGSR/GlyphSR and ASTER): a localisation head predicts
``num_ctrlpoints`` source control points, a TPS maps the output grid onto them.

Buffer and parameter names follow aster.pytorch and the GlyphSR release (``stn_head.stn_convnet.N.0``,
``stn_head.stn_fc1``, ``stn_head.stn_fc2``; ``tps.inverse_kernel``, ``tps.padding_matrix``,
``tps.target_coordinate_repr``, ``tps.target_control_points``).
"""
import itertools
import math
from typing import Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


def _conv3x3_block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, 1, 1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def build_control_points(num: int, margins: Tuple[float, float]) -> torch.Tensor:
    """``num`` points (x, y) in [0, 1]: half along the top edge, half along the bottom edge."""
    mx, my = margins
    xs = torch.linspace(mx, 1.0 - mx, num // 2, dtype=torch.float64)
    top = torch.stack([xs, torch.full_like(xs, my)], 1)
    bottom = torch.stack([xs, torch.full_like(xs, 1.0 - my)], 1)
    return torch.cat([top, bottom], 0)


def _partial_repr(points: torch.Tensor, ctrl: torch.Tensor) -> torch.Tensor:
    """TPS radial basis U(r) = r^2 log r = 0.5 * d log d with d = r^2 (0 at d = 0)."""
    d = ((points[:, None, :] - ctrl[None, :, :]) ** 2).sum(-1)
    rep = 0.5 * d * torch.log(d)
    return torch.nan_to_num(rep, nan=0.0, posinf=0.0, neginf=0.0)


class STNHead(nn.Module):
    """Localisation network: six conv blocks with five max-pools down to 1 x 2, two FC layers -> control points.

    Args:
        in_channels: Image channels (3, or 4 with the mask channel).
        num_ctrlpoints: Number of control points (20).
        input_size: (H, W) of the input; the pools are chosen so that it ends at 1 x 2 (32x64 in ASTER: five 2x2
            pools; 16x64 in TSRN/GlyphSR: four 2x2 and a final 1x2 pool). Parameter names do not depend on it.
        activation: ``'none'`` or ``'sigmoid'`` on the predicted points.
    """

    def __init__(self, in_channels: int, num_ctrlpoints: int = 20, input_size: Sequence[int] = (32, 64),
                 activation: str = 'none') -> None:
        super().__init__()
        h, w = input_size
        pools = []
        for _ in range(5):
            ph = 2 if h > 1 else 1
            pw = 2 if w > 2 else 1
            pools.append((ph, pw))
            h, w = h // ph, w // pw
        if (h, w) != (1, 2):
            raise ValueError(f'STNHead input {tuple(input_size)} does not reduce to 1 x 2 with five pools')
        chans = [in_channels, 32, 64, 128, 256, 256, 256]
        layers = []
        for i in range(6):
            layers.append(_conv3x3_block(chans[i], chans[i + 1]))
            if i < 5:
                layers.append(nn.MaxPool2d(pools[i], pools[i]))
        self.stn_convnet = nn.Sequential(*layers)
        self.stn_fc1 = nn.Sequential(nn.Linear(2 * 256, 512), nn.BatchNorm1d(512), nn.ReLU(inplace=True))
        self.stn_fc2 = nn.Linear(512, num_ctrlpoints * 2)
        self.num_ctrlpoints, self.activation = num_ctrlpoints, activation
        self._init_weights()

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                nn.init.normal_(m.weight, 0, math.sqrt(2.0 / n))
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.001)
                nn.init.zeros_(m.bias)
        # Start at the identity: zero weights, bias = the target control points (margin 0.01).
        ctrl = build_control_points(self.num_ctrlpoints, (0.01, 0.01)).float()
        if self.activation == 'sigmoid':
            ctrl = -torch.log(1.0 / ctrl - 1.0)
        nn.init.zeros_(self.stn_fc2.weight)
        with torch.no_grad():
            self.stn_fc2.bias.copy_(ctrl.view(-1))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        feat = self.stn_fc1(self.stn_convnet(x).flatten(1))
        pts = self.stn_fc2(0.1 * feat)
        if self.activation == 'sigmoid':
            pts = torch.sigmoid(pts)
        return feat, pts.view(-1, self.num_ctrlpoints, 2)


class TPSSpatialTransformer(nn.Module):
    """Warp the input so that the predicted source control points map onto fixed target points.

    Args:
        output_size: (H, W) of the rectified image.
        num_control_points: 20.
        margins: (x, y) margins of the target control points (0.05, 0.05).
        align_corners: ``grid_sample``'s flag; True reproduces torch < 1.3, which ASTER and TSRN were trained with.
    """

    def __init__(self, output_size: Sequence[int], num_control_points: int = 20,
                 margins: Tuple[float, float] = (0.05, 0.05), align_corners: bool = True) -> None:
        super().__init__()
        self.output_size, self.align_corners = tuple(output_size), align_corners
        n = num_control_points
        target = build_control_points(n, margins)
        kernel = torch.zeros(n + 3, n + 3, dtype=torch.float64)
        kernel[:n, :n] = _partial_repr(target, target)
        kernel[:n, -3] = 1
        kernel[-3, :n] = 1
        kernel[:n, -2:] = target
        kernel[-2:, :n] = target.t()
        h, w = self.output_size
        yx = torch.tensor(list(itertools.product(range(h), range(w))), dtype=torch.float64)
        y, x = yx[:, :1] / (h - 1), yx[:, 1:] / (w - 1)
        coords = torch.cat([x, y], 1)
        repr_ = torch.cat([_partial_repr(coords, target), torch.ones(h * w, 1, dtype=torch.float64), coords], 1)
        self.register_buffer('inverse_kernel', torch.inverse(kernel).float())
        self.register_buffer('padding_matrix', torch.zeros(3, 2))
        self.register_buffer('target_coordinate_repr', repr_.float())
        self.register_buffer('target_control_points', target.float())

    def forward(self, x: torch.Tensor, source_points: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        b = source_points.shape[0]
        y = torch.cat([source_points, self.padding_matrix.expand(b, 3, 2)], 1)
        mapping = self.inverse_kernel @ y
        grid = (self.target_coordinate_repr @ mapping).view(b, *self.output_size, 2)
        grid = grid.clamp(0, 1) * 2 - 1
        return F.grid_sample(x, grid, align_corners=self.align_corners), grid
