"""The DSTA attention block of C3-STISR (docs/design.md §2), built on the project's one deformable-conv layer."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.registry import MODELS
from .deform_conv import ModulatedDeformConv2d

MIN_SIZE = 15  # a stride-2 3x3 conv, then a 7x7 max-pool, need 15 x 15 inputs


@MODELS.register_module(name='GlyphSRDSTA')
class DSTA(nn.Module):
    """Enhanced spatial attention with a depth-wise modulated deformable convolution (C3-STISR).

    With f = channels // 4: c1' = conv1(x); c1 = conv2(c1') (3x3, stride 2); v = maxpool7/3(c1);
    c3 = relu(conv3_(relu(conv3(relu(conv_max(v)))))); offsets and masks of a 3x3 depth-wise DCN
    (groups = deform_groups = f) are predicted from c3 (``mask``) and from a stride-2 copy of c3
    (``down_conv2`` -> ``mask2``, resized back) and summed; c3 = relu(dcn(v)); y = conv_du(avgpool(c3));
    output = x * sigmoid(conv4(resize(c3) + conv_f(c1'))) * y. Parameter names follow the release.

    Args:
        channels: Channels n of the input and output (divisible by 4).
        dcn_backend: Backend of the deformable convolution (see ``ModulatedDeformConv2d``).
    """

    def __init__(self, channels: int, dcn_backend: str = 'auto') -> None:
        super().__init__()
        if channels % 4:
            raise ValueError(f'DSTA channels must be divisible by 4, got {channels}')
        f = channels // 4
        self.conv1 = nn.Conv2d(channels, f, 1)
        self.conv_f = nn.Conv2d(f, f, 1)
        self.conv_max = nn.Conv2d(f, f, 3, padding=1)
        self.conv2 = nn.Conv2d(f, f, 3, stride=2, padding=0)
        self.conv3 = nn.Conv2d(f, f, 3, padding=1)
        self.conv3_ = nn.Conv2d(f, f, 3, padding=1)
        self.conv4 = nn.Conv2d(f, channels, 1)
        self.dcn = ModulatedDeformConv2d(f, f, 3, padding=1, groups=f, deform_groups=f, backend=dcn_backend)
        om_channels = self.dcn.offset_channels + self.dcn.mask_channels  # 3 * f * 9
        self.mask = nn.Conv2d(f, om_channels, 3, padding=1)
        self.down_conv2 = nn.Sequential(nn.Conv2d(f, f, 3, stride=2, padding=1), nn.ReLU(inplace=True))
        self.mask2 = nn.Conv2d(f, om_channels, 3, padding=1)
        self.conv_du = nn.Sequential(nn.Conv2d(f, 2 * f, 1), nn.ReLU(inplace=True), nn.Conv2d(2 * f, channels, 1),
                                     nn.Sigmoid())
        # Start with zero offsets and neutral (0.5) masks, as DCNv2 does.
        for conv in (self.mask, self.mask2):
            nn.init.zeros_(conv.weight)
            nn.init.zeros_(conv.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        if h < MIN_SIZE or w < MIN_SIZE:
            # Smaller maps (e.g. RRDBNet's pixel-unshuffled 8 x 32 features at x2) are replicate-padded to the
            # minimum and the result cropped back; maps of at least MIN_SIZE are computed exactly as the release.
            ph, pw = max(MIN_SIZE - h, 0), max(MIN_SIZE - w, 0)
            pad = (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2)
            return self(F.pad(x, pad, mode='replicate'))[..., pad[2]:pad[2] + h, pad[0]:pad[0] + w]
        c1_ = self.conv1(x)
        c1 = self.conv2(c1_)
        v = F.max_pool2d(c1, kernel_size=7, stride=3)
        c3 = F.relu(self.conv_max(v))
        c3 = F.relu(self.conv3(c3))
        c3 = F.relu(self.conv3_(c3))
        om = self.mask(c3) + F.interpolate(self.mask2(self.down_conv2(c3)), size=c3.shape[-2:],
                                           mode='bilinear', align_corners=False)
        n_off = self.dcn.offset_channels
        offset, mask = om[:, :n_off], torch.sigmoid(om[:, n_off:])
        c3 = F.relu(self.dcn(v, offset, mask))
        y = self.conv_du(F.adaptive_avg_pool2d(c3, 1))
        c3 = F.interpolate(c3, size=x.shape[-2:], mode='bilinear', align_corners=False)
        return x * torch.sigmoid(self.conv4(c3 + self.conv_f(c1_))) * y
