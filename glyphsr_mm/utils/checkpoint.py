"""Loading MMEngine checkpoints under torch >= 2.6, where ``torch.load`` defaults to ``weights_only=True``.

MMEngine 0.10.7 calls ``torch.load(filename, map_location=...)`` without ``weights_only``. A checkpoint
written by its Runner holds, besides tensors, the message hub's ``HistoryBuffer`` objects (numpy arrays
inside), numpy scalars, and HistoryBuffer's statistics methods, pickled as ``getattr(HistoryBuffer, 'min')``.
The weights-only unpickler rejects all of these. Rather than switching the check off everywhere, we
allow-list exactly those types (``torch.serialization.add_safe_globals``); the ``builtins.getattr`` global is
mapped to :func:`history_buffer_getattr`, which resolves only HistoryBuffer's statistics methods. Anything else
in a checkpoint is still refused.
"""
import os
import pickle
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

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


class CheckpointMismatchError(RuntimeError):
    """A checkpoint does not fit the module it is loaded into (names the file, missing and unexpected keys)."""


def _unwrap_state_dict(obj: Any, nested_keys: Sequence[str]) -> Dict[str, torch.Tensor]:
    """Descend into the first of ``nested_keys`` found until the object is a flat name -> tensor mapping."""
    while isinstance(obj, Mapping) and not all(isinstance(v, torch.Tensor) for v in obj.values()):
        for key in nested_keys:
            if key in obj and isinstance(obj[key], Mapping):
                obj = obj[key]
                break
        else:
            raise CheckpointMismatchError(
                f'no state dict found: top-level keys {sorted(map(str, obj))[:12]}, looked for {list(nested_keys)}')
    if not isinstance(obj, Mapping):
        raise CheckpointMismatchError(f'expected a state dict, got {type(obj).__name__}')
    return dict(obj)


def _pickled_class(error: Exception) -> str:
    """The global the weights-only unpickler refused, from its message (``GLOBAL module.Class``)."""
    import re
    found = re.search(r'GLOBAL ([\w.]+)', str(error))
    return f'it refers to {found.group(1)}' if found else 'the weights-only unpickler refused it'


def read_state_dict(source: Union[str, Mapping], nested_keys: Sequence[str] = ('state_dict', 'model', 'net'),
                    strip_prefixes: Sequence[str] = ('module.', ),
                    select_prefix: Optional[str] = None) -> Dict[str, torch.Tensor]:
    """Read a state dict from a file path or a mapping, unwrap nesting, strip ``module.``-style prefixes.

    Prefixes are stripped when every key carries them (DataParallel / Lightning copies). With ``select_prefix``,
    a state dict in which some keys carry it is reduced to those keys (a sub-module of a bigger model).
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise FileNotFoundError(f'checkpoint not found: {path}')
        try:
            obj = torch.load(path, map_location='cpu', weights_only=True)
        except pickle.UnpicklingError as e:
            raise CheckpointMismatchError(
                f'{path} is not a state dict but a pickled Python object ({_pickled_class(e)}), e.g. a whole '
                'nn.Module saved with torch.save(model). It is not unpickled here: that would run code from the file '
                'and needs the code that defined it. Turn it into a state dict once, with the upstream code on '
                "sys.path: model = torch.load(PATH, weights_only=False); torch.save(model.state_dict(), "
                "'state_dict.pth'); then pass state_dict.pth.") from None
    else:
        obj = source
    state = _unwrap_state_dict(obj, nested_keys)
    if select_prefix and any(k.startswith(select_prefix) for k in state):
        state = {k[len(select_prefix):]: v for k, v in state.items() if k.startswith(select_prefix)}
    for prefix in strip_prefixes:
        if state and all(k.startswith(prefix) for k in state):
            state = {k[len(prefix):]: v for k, v in state.items()}
    return state


def load_state_dict_strict(module: torch.nn.Module, source: Union[str, Mapping], *, what: str = '',
                           nested_keys: Sequence[str] = ('state_dict', 'model', 'net'),
                           strip_prefixes: Sequence[str] = ('module.', ),
                           ignore_keys: Sequence[str] = (), select_prefix: Optional[str] = None) -> None:
    """Load ``source`` into ``module``; any missing, unexpected or mis-shaped key is an error that lists them.

    Args:
        module: The module to fill.
        source: A checkpoint path or a state dict (possibly nested under ``nested_keys``).
        what: Name of the model for the message, e.g. ``'TBSRN transformer'``.
        nested_keys: Keys to descend into (``state_dict`` of MMEngine/Lightning, ``model`` ...).
        strip_prefixes: Prefixes removed when all keys carry them (``module.`` of DataParallel).
        ignore_keys: Checkpoint keys (suffixes) that are allowed to be unexpected (e.g. unused buffers).
        select_prefix: Keep only the keys under this prefix when some carry it (see :func:`read_state_dict`).
    """
    name = os.fspath(source) if isinstance(source, (str, os.PathLike)) else '<state dict>'
    try:
        state = read_state_dict(source, nested_keys, strip_prefixes, select_prefix)
    except CheckpointMismatchError as e:
        raise CheckpointMismatchError(f'{what or type(module).__name__} checkpoint {name}: {e}') from None
    own = module.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own and not any(k.endswith(s) for s in ignore_keys)]
    shapes = [f'{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}'
              for k in own if k in state and tuple(state[k].shape) != tuple(own[k].shape)]
    if missing or unexpected or shapes:
        def listing(title, items):
            head = ', '.join(items[:20]) + (f', ... ({len(items)} in all)' if len(items) > 20 else '')
            return f'\n  {title} ({len(items)}): {head}' if items else ''
        raise CheckpointMismatchError(
            f'{what or type(module).__name__} checkpoint {name} does not match the model:'
            + listing('missing keys', missing) + listing('unexpected keys', unexpected)
            + listing('shape mismatches', shapes))
    module.load_state_dict({k: state[k] for k in own}, strict=True)
