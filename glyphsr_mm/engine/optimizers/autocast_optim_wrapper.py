"""bf16 mixed precision where MMEngine's ``AmpOptimWrapper`` does not go: CPUs with native bf16 math."""
import warnings
from contextlib import contextmanager
from typing import Union

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from glyphsr_mm.registry import OPTIM_WRAPPERS
from glyphsr_mm.utils.machine import cpu_has_native_bf16


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward pass runs under ``torch.autocast`` on the model's device.

    MMEngine's ``AmpOptimWrapper`` (``--amp``) refuses to build without CUDA/NPU/MLU/MUSA and carries a loss scaler
    that bf16 does not need (its exponent range is fp32's). This wrapper is for the CPU: with AMX or AVX512-BF16,
    bf16 autocast runs the convolutions of a GlyphSR training step about 2x faster (docs/benchmarks.md,
    ``train_recipe``). Parameters, gradients and optimizer state stay fp32; validation and testing run in fp32.

    Args:
        dtype: ``'bfloat16'`` (default) or a ``torch.dtype``.
        emulated_bf16: What to do on a CPU without native bf16, where torch emulates it and a step runs many times
            slower than in fp32: ``'fp32'`` (default) trains in fp32 and says so once; ``'autocast'`` autocasts
            anyway.
        **kwargs: ``OptimWrapper``'s (``optimizer``, ``clip_grad``, ``accumulative_counts``).
    """

    def __init__(self, dtype: Union[str, torch.dtype] = 'bfloat16', emulated_bf16: str = 'fp32', **kwargs) -> None:
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype) if isinstance(dtype, str) else dtype
        if emulated_bf16 not in ('fp32', 'autocast'):
            raise ValueError(f"emulated_bf16 must be 'fp32' or 'autocast', got {emulated_bf16!r}")
        self.emulated_bf16 = emulated_bf16
        self._warned = False

    def _enabled(self, device: str) -> bool:
        if device != 'cpu' or self.cast_dtype != torch.bfloat16 or self.emulated_bf16 == 'autocast':
            return True
        if cpu_has_native_bf16():
            return True
        if not self._warned:
            warnings.warn('AutocastOptimWrapper: this CPU has no native bf16 (AMX / AVX512-BF16), so torch would '
                          'emulate it, many times slower than fp32: training in fp32 instead '
                          "(emulated_bf16='autocast' forces bf16).")
            self._warned = True
        return False

    @contextmanager
    def optim_context(self, model: nn.Module):
        device = next(model.parameters()).device.type
        with super().optim_context(model), torch.autocast(device, dtype=self.cast_dtype,
                                                          enabled=self._enabled(device)):
            yield
