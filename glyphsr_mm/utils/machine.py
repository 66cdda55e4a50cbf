"""What a report says about the machine it ran on: measured, not assumed."""
import os
import platform


def cpu_has_native_bf16() -> bool:
    """AMX or AVX512-BF16: bf16 convolutions and matmuls run in hardware. Elsewhere torch emulates them, many times
    slower than fp32 (docs/benchmarks.md, model_step)."""
    import torch
    return any(getattr(torch.cpu, f, lambda: False)() for f in ('_is_avx512_bf16_supported', '_is_amx_tile_supported'))


def describe_machine() -> str:
    """``'<GPU name>'`` or ``'<processor>, N cores, torch threads T, <bf16 support>'``."""
    import torch
    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    bf16 = 'native bf16' if cpu_has_native_bf16() else 'no native bf16 (no AVX512-BF16 / AMX)'
    return (f'{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch threads '
            f'{torch.get_num_threads()}, {bf16}')
