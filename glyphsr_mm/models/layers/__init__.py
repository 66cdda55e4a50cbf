from .deform_conv import ModulatedDeformConv2d, mmcv_ops_available, resolve_backend

__all__ = ['ModulatedDeformConv2d', 'mmcv_ops_available', 'resolve_backend']
