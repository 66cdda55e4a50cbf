"""Environment report in the style of ``mmagic.utils.collect_env``.

``python -m glyphsr_mm.cli.collect_env`` prints it and exits with status 1 when a required
component (mmagic, mmocr, mmcv.ops, segment_anything, glyphsr_mm) does not import.
"""
import importlib
import sys
from collections import OrderedDict
from typing import Dict, List, Tuple

REQUIRED = ('mmengine', 'mmcv', 'mmcv.ops', 'mmdet', 'mmocr', 'mmagic', 'segment_anything', 'glyphsr_mm')
OPTIONAL = ('rapidocr', 'onnxruntime', 'easyocr', 'lmdb', 'cv2')


def _try_version(module: str) -> Tuple[bool, str]:
    try:
        mod = importlib.import_module(module)
    except Exception as e:  # report anything, including mmcv's version-check AssertionErrors
        return False, f'NOT LOADED ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ""})'
    if module == 'mmcv.ops':
        # mmcv-lite has no compiled extension: importing mmcv.ops then fails; with ops, _ext is a .so.
        ext = importlib.import_module('mmcv._ext')
        return True, f'loaded ({getattr(ext, "__file__", "?")})'
    dist = {'segment_anything': 'segment-anything', 'cv2': 'opencv-python-headless'}.get(module, module)
    try:
        from importlib.metadata import version
        return True, getattr(mod, '__version__', None) or version(dist)
    except Exception:
        return True, 'unknown'



def collect_env() -> Tuple[Dict[str, str], List[str]]:
    """Return ``(report, missing)``: an ordered name -> value mapping and the required modules that failed."""
    try:
        from mmengine.utils.dl_utils import collect_env as collect_base_env
        env = OrderedDict(collect_base_env())
        env.pop('PyTorch compiling details', None)  # 30 lines of build flags; `python -c "import torch;
        # print(torch.__config__.show())"` prints them when needed
    except Exception as e:
        env = OrderedDict(Python=sys.version.replace('\n', ''), MMEngine=f'NOT LOADED ({e})')
    missing = []
    for name in REQUIRED + OPTIONAL:
        ok, value = _try_version(name)
        env[name] = value
        if not ok and name in REQUIRED:
            missing.append(name)
    try:
        from glyphsr_mm.models.layers.deform_conv import mmcv_cuda_ops_available, resolve_backend
        env['deformable conv backend (auto)'] = resolve_backend('auto')
        env['mmcv CUDA kernels'] = 'yes' if mmcv_cuda_ops_available() else 'no (CPU build)'
        if mmcv_cuda_ops_available():
            from mmcv.ops import get_compiling_cuda_version
            env['mmcv compiled with CUDA'] = get_compiling_cuda_version()
            env['mmcv CUDA archs (cuobjdump)'] = mmcv_cuda_archs()
        if torch_cuda_available():
            env['deformable conv backend (auto, cuda)'] = resolve_backend('auto', 'cuda')
    except Exception as e:
        env['deformable conv backend (auto)'] = f'unavailable ({e})'
    return env, missing


def mmcv_cuda_archs() -> str:
    """The GPU architectures of the cubins in mmcv's extension, from ``cuobjdump --list-elf`` (CUDA toolkit, or the
    ``nvidia-cuda-cuobjdump`` package); a note when no cuobjdump is found."""
    import collections
    import glob
    import os
    import re
    import shutil
    import subprocess
    import mmcv
    tool = shutil.which('cuobjdump') or next(iter(glob.glob(os.path.join(
        sys.prefix, 'lib', 'python*', 'site-packages', 'nvidia', 'cu*', 'bin', 'cuobjdump'))), None)
    if tool is None:
        return 'unknown (no cuobjdump: pip install nvidia-cuda-cuobjdump)'
    ext = glob.glob(os.path.join(os.path.dirname(mmcv.__file__), '_ext*.so'))[0]
    out = subprocess.run([tool, '--list-elf', ext], capture_output=True, text=True).stdout
    counts = collections.Counter(re.findall(r'\.(sm_\d+a?)\.cubin', out))
    return ', '.join(f'{arch} ({n} cubins)' for arch, n in sorted(counts.items())) or 'none found'


def torch_cuda_available() -> bool:
    try:
        import torch
        return torch.cuda.is_available()
    except Exception:
        return False


def main() -> int:
    env, missing = collect_env()
    width = max(len(k) for k in env)
    print('-' * 72)
    for k, v in env.items():
        print(f'{k:<{width}} : {v}')
    print('-' * 72)
    if missing:
        print(f'MISSING: {", ".join(missing)} -- see README.md "Troubleshooting".')
        return 1
    print('glyphsr_mm environment OK')
    return 0


if __name__ == '__main__':
    sys.exit(main())
