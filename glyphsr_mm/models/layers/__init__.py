from .channel_attention import ChannelAttention
from .deform_conv import ModulatedDeformConv2d, mmcv_cuda_ops_available, mmcv_ops_available, resolve_backend
from .dsta import DSTA
from .gru_block import GruBlock
from .mish import Mish
from .tps_stn import STNHead, TPSSpatialTransformer

__all__ = ['ChannelAttention', 'DSTA', 'GruBlock', 'Mish', 'ModulatedDeformConv2d', 'STNHead',
           'TPSSpatialTransformer', 'mmcv_cuda_ops_available', 'mmcv_ops_available', 'resolve_backend']
