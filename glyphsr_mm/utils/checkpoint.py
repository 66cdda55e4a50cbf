"""Loading MMEngine checkpoints under torch >= 2.6, where ``torch.load`` defaults to ``weights_only=True``.

MMEngine 0.10.7 calls ``torch.load(filename, map_location=...)`` without ``weights_only``. A checkpoint
written by its Runner holds, besides tensors, the message hub's ``HistoryBuffer`` objects (numpy arrays
inside), numpy scalars, and HistoryBuffer's statistics methods, pickled as ``getattr(HistoryBuffer, 'min')``.
The weights-only unpickler rejects all of these. Rather than switching the check off everywhere, we
allow-list exactly those types (``torch.serialization.add_safe_globals``); the ``builtins.getattr`` global is
mapped to :func:`history_buffer_getattr`, which resolves only HistoryBuffer's statistics methods. Anything else
in a checkpoint is still refused.
"""
import pickle
from typing import Any, List

import numpy as np
import torch


def history_buffer_getattr(obj: Any, name: str) -> Any:
    """``getattr`` as allowed inside checkpoints: only ``HistoryBuffer.<statistics method>``."""
    from mmengine.logging.history_buffer import HistoryBuffer
    if obj is HistoryBuffer and (name in HistoryBuffer._statistics_methods
                                 or name in ('min', 'max', 'current', 'mean')):
        return getattr(obj, name)
    raise pickle.UnpicklingError(f'checkpoint asks for getattr({obj!r}, {name!r}), which is not allow-listed')


def mmengine_safe_globals() -> List[object]:
    """The non-tensor types that an MMEngine Runner checkpoint of this project contains."""
    from mmengine.logging.history_buffer import HistoryBuffer
    try:  # numpy >= 1.25 pickles dtypes by their class, e.g. numpy.dtypes.Float64DType
        from numpy import dtypes as np_dtypes
        dtype_classes = [getattr(np_dtypes, n) for n in dir(np_dtypes) if n.endswith('DType')]
    except ImportError:
        dtype_classes = []
    core = np.core if hasattr(np, 'core') else np._core
    return [HistoryBuffer, core.multiarray._reconstruct, core.multiarray.scalar, np.ndarray, np.dtype,
            *dtype_classes, (history_buffer_getattr, 'builtins.getattr')]


def register_safe_globals() -> bool:
    """Allow-list MMEngine's checkpoint types for ``weights_only`` loading. Returns False if not applicable."""
    if not hasattr(torch.serialization, 'add_safe_globals'):
        return False  # torch < 2.4: torch.load is not weights-only by default
    try:
        torch.serialization.add_safe_globals(mmengine_safe_globals())
    except ImportError:  # torch-only install: no MMEngine checkpoints to load
        return False
    return True
