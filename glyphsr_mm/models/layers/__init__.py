from .channel_attention import ChannelAttention
from .deform_conv import ModulatedDeformConv2d, mmcv_ops_available, resolve_backend
from .dsta import DSTA
from .gru_block import GruBlock
from .mish import Mish

__all__ = ['ChannelAttention', 'DSTA', 'GruBlock', 'Mish', 'ModulatedDeformConv2d', 'mmcv_ops_available',
           'resolve_backend']
