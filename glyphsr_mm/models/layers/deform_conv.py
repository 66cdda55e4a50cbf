"""The project's one modulated deformable convolution (DCNv2), with two interchangeable backends.

* ``'mmcv'``: MMCV's compiled ``modulated_deform_conv2d`` (CPU kernels; CUDA kernels when mmcv was built with
  CUDA: ``GLYPHSR_CUDA=1 make setup``).
* ``'torchvision'``: ``torchvision.ops.deform_conv2d`` with a mask (what the GlyphSR release uses).

``'auto'`` chooses per call, by the input's device: on CPU MMCV's kernel when its ops load, else torchvision's; on
CUDA MMCV's CUDA kernel when mmcv was built with CUDA, else torchvision's CUDA kernel (with one warning). A CUDA
tensor never reaches a CPU-only build: ``backend='mmcv'`` with a CUDA input on such a build is an error that
names the fix.

Both read the same parameters (``weight``: out x in/groups x kh x kw, ``bias``: out) and the same offset
layout: ``offset`` is B x (2 * deform_groups * kh * kw) x H' x W' with (dy, dx) pairs per kernel point,
``mask`` is B x (deform_groups * kh * kw) x H' x W'. So a state dict of the release's torchvision
``DeformConv2d`` loads as is, and the backend can be switched after loading.
"""
import math
import warnings
from typing import Optional, Tuple, Union

import torch
import torch.nn as nn
from torch.nn.modules.utils import _pair

from glyphsr_mm.registry import MODELS

_BACKENDS = ('auto', 'mmcv', 'torchvision')
_MMCV_OP = None  # cached: the mmcv functional, or the ImportError text


def _mmcv_op():
    """Return MMCV's ``modulated_deform_conv2d`` or raise an ImportError that says how to get it."""
    global _MMCV_OP
    if _MMCV_OP is None:
        try:
            from mmcv.ops import modulated_deform_conv2d
            _MMCV_OP = modulated_deform_conv2d
        except Exception as e:  # ImportError, or mmcv._ext missing (mmcv-lite / broken build)
            _MMCV_OP = f'{type(e).__name__}: {e}'
    if isinstance(_MMCV_OP, str):
        raise ImportError(
            f"backend='mmcv' needs mmcv with compiled ops (mmcv.ops) but importing it failed ({_MMCV_OP}). "
            "Run tools/setup_env.sh, or use backend='torchvision'.")
    return _MMCV_OP


def mmcv_ops_available() -> bool:
    """Whether MMCV's compiled deformable-conv op can be used in this process."""
    try:
        _mmcv_op()
        return True
    except ImportError:
        return False


_MMCV_CUDA = None  # cached: whether the loaded mmcv was compiled with CUDA kernels
_WARNED_CUDA_FALLBACK = False


def mmcv_cuda_ops_available() -> bool:
    """Whether MMCV's ops load and were compiled with CUDA (``mmcv.ops.get_compiling_cuda_version()``)."""
    global _MMCV_CUDA
    if _MMCV_CUDA is None:
        _MMCV_CUDA = False
        if mmcv_ops_available():
            from mmcv.ops import get_compiling_cuda_version
            _MMCV_CUDA = get_compiling_cuda_version() not in ('not available', '')
    return _MMCV_CUDA


def resolve_backend(backend: str, device: Union[str, torch.device] = 'cpu') -> str:
    """The backend that runs an input on ``device``: ``'auto'`` becomes ``'mmcv'`` when MMCV has kernels for that
    device type, else ``'torchvision'``; an explicit name is validated (``'mmcv'`` must load, and have CUDA kernels
    for a CUDA device)."""
    if backend not in _BACKENDS:
        raise ValueError(f'backend must be one of {_BACKENDS}, got {backend!r}')
    cuda = torch.device(device).type == 'cuda'
    if backend == 'auto':
        if not cuda:
            return 'mmcv' if mmcv_ops_available() else 'torchvision'
        if mmcv_cuda_ops_available():
            return 'mmcv'
        global _WARNED_CUDA_FALLBACK
        if not _WARNED_CUDA_FALLBACK:
            _WARNED_CUDA_FALLBACK = True
            why = 'was built without CUDA' if mmcv_ops_available() else 'ops do not load'
            warnings.warn(f"deformable conv: mmcv {why}, so CUDA inputs run torchvision's CUDA kernel (same "
                          "results). For MMCV's kernel rebuild mmcv with CUDA: GLYPHSR_CUDA=1 make setup.")
        return 'torchvision'
    if backend == 'mmcv':
        _mmcv_op()  # fail now with a clear message rather than at the first forward
        if cuda and not mmcv_cuda_ops_available():
            raise RuntimeError(
                "backend='mmcv' got a CUDA input, but the installed mmcv was built without CUDA kernels (a CPU "
                "build). Rebuild it with CUDA (GLYPHSR_CUDA=1 make setup, on a machine with nvcc or the NVIDIA "
                "pip packages), or use dcn_backend='auto' or 'torchvision'.")
    return backend


@MODELS.register_module(name='GlyphSRModulatedDeformConv2d')
class ModulatedDeformConv2d(nn.Module):
    """Modulated deformable 2D convolution; offsets and masks are inputs (predicted elsewhere).

    Args:
        in_channels: Input channels.
        out_channels: Output channels.
        kernel_size: Kernel size.
        stride: Stride.
        padding: Zero padding.
        dilation: Dilation.
        groups: Convolution groups (``groups == in_channels`` is depth-wise).
        deform_groups: Offset groups.
        bias: Whether to learn a bias.
        backend: ``'auto'`` (per call: MMCV's kernel when it has one for the input's device, torchvision's
            otherwise), ``'mmcv'`` or ``'torchvision'``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Union[int, Tuple[int, int]],
                 stride: Union[int, Tuple[int, int]] = 1, padding: Union[int, Tuple[int, int]] = 0,
                 dilation: Union[int, Tuple[int, int]] = 1, groups: int = 1, deform_groups: int = 1,
                 bias: bool = True, backend: str = 'auto') -> None:
        super().__init__()
        if in_channels % groups or out_channels % groups:
            raise ValueError(f'in_channels ({in_channels}) and out_channels ({out_channels}) '
                             f'must be divisible by groups ({groups})')
        if in_channels % deform_groups:
            raise ValueError(f'in_channels ({in_channels}) must be divisible by deform_groups ({deform_groups})')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride)
        self.padding = _pair(padding)
        self.dilation = _pair(dilation)
        self.groups = groups
        self.deform_groups = deform_groups
        resolve_backend(backend)  # validate now: a bad name or a missing mmcv fails at build time
        self.backend = backend
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels // groups, *self.kernel_size))
        self.bias = nn.Parameter(torch.empty(out_channels)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # Same initialisation as torchvision.ops.DeformConv2d.
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = nn.init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in)
            nn.init.uniform_(self.bias, -bound, bound)

    @property
    def offset_channels(self) -> int:
        """Channels of the ``offset`` input: 2 * deform_groups * kh * kw."""
        return 2 * self.deform_groups * self.kernel_size[0] * self.kernel_size[1]

    @property
    def mask_channels(self) -> int:
        """Channels of the ``mask`` input: deform_groups * kh * kw."""
        return self.deform_groups * self.kernel_size[0] * self.kernel_size[1]

    def forward(self, x: torch.Tensor, offset: torch.Tensor, mask: Optional[torch.Tensor] = None
                ) -> torch.Tensor:
        """Convolve ``x`` (B x C x H x W) sampled at ``offset``, modulated by ``mask`` (ones if None)."""
        if offset.shape[1] != self.offset_channels:
            raise ValueError(f'offset has {offset.shape[1]} channels, expected {self.offset_channels} '
                             f'(2 * deform_groups * kh * kw)')
        if mask is None:
            mask = offset.new_ones(offset.shape[0], self.mask_channels, *offset.shape[2:])
        elif mask.shape[1] != self.mask_channels:
            raise ValueError(f'mask has {mask.shape[1]} channels, expected {self.mask_channels}')
        if torch.is_autocast_enabled(x.device.type) or x.dtype != self.weight.dtype:
            # Neither backend has bfloat16 kernels (and mmcv none in half precision on CPU): under autocast or
            # with low-precision inputs this one op runs in the weights' precision; autocast recasts its output.
            with torch.autocast(x.device.type, enabled=False):
                dtype = self.weight.dtype
                return self.forward(x.to(dtype), offset.to(dtype), mask.to(dtype))
        if resolve_backend(self.backend, x.device) == 'mmcv':
            # mmcv's autograd Function takes positional arguments only.
            return _mmcv_op()(x, offset, mask, self.weight, self.bias, self.stride, self.padding,
                              self.dilation, self.groups, self.deform_groups)
        from torchvision.ops import deform_conv2d
        return deform_conv2d(x, offset, self.weight, self.bias, stride=self.stride, padding=self.padding,
                             dilation=self.dilation, mask=mask)

    def extra_repr(self) -> str:
        return (f'{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, '
                f'padding={self.padding}, dilation={self.dilation}, groups={self.groups}, '
                f'deform_groups={self.deform_groups}, bias={self.bias is not None}, backend={self.backend!r}')
