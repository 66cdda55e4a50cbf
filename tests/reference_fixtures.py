"""Fixtures produced by the reference implementations (see tests/data/reference/README.md).

A fixture is one ``.npz.xz`` (an ``.npz`` compressed with LZMA): the reference network's state dict (under the reference's own key names),
the inputs it was run on and its outputs. Weights are *ternary*: each tensor is ``offset + scale * code`` with
``code`` in {-1, 0, 1} (int8), ``scale`` and ``offset`` float32 per tensor, chosen from the tensor's default
initialisation (same spread; constant tensors such as BatchNorm weights and running statistics vary around their
constant). The values are exact in float32, so the reference ran on exactly the tensors a test rebuilds, and a
network of tens of millions of parameters stores in a few MB.

Keys in the ``.npz``: ``w/<name>`` codes, ``s/<name>`` (scale, offset), ``i/<name>`` integer buffers as they are,
``in/<name>`` inputs, ``out/<name>`` outputs, ``meta`` a JSON string (upstream repository, commit, settings, the
reference's decoded strings).
"""
import fnmatch
import io
import json
import lzma
import os.path as osp
import zlib
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch

REFERENCE_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'data', 'reference')


def ternary_state_dict(model: torch.nn.Module, seed: int, skip: Sequence[str] = (), density: float = 2 / 3,
                       gains: Optional[Dict[str, float]] = None) -> Dict[str, np.ndarray]:
    """Codes, scales and integer buffers for every tensor of ``model``'s state dict (keys as in the .npz).

    ``density``: share of non-zero codes (lower compresses better; the spread is kept by a larger scale).
    ``gains``: ``{key pattern (fnmatch): factor}`` multiplying the spread, e.g. of a classifier so that a random network gives
    peaked, varied predictions instead of near-uniform ones (which would hide differences in the tests).
    ``skip``: computed buffers (e.g. a sinusoid table) kept as the module made them and left out of the fixture;
    a test fills them from the module under test, so they must agree for the outputs to agree.
    """
    out = {}
    for name, t in model.state_dict().items():
        if name in skip:
            continue
        if not t.is_floating_point():
            out[f'i/{name}'] = t.cpu().numpy()
            continue
        d = t.detach().double().cpu()
        mean, std = (float(d.mean()), float(d.std())) if d.numel() > 1 else (float(d.flatten()[0]), 0.0)
        if std < 1e-8:
            offset, scale = mean, (0.25 * abs(mean) if mean else 0.1)
        else:
            offset, scale = 0.0, std / density ** 0.5
        scale *= next((g for pattern, g in (gains or {}).items() if fnmatch.fnmatchcase(name, pattern)), 1.0)
        rng = np.random.RandomState((seed + zlib.crc32(name.encode())) % 2 ** 32)
        nonzero = rng.random_sample(tuple(t.shape)) < density
        out[f'w/{name}'] = (nonzero * rng.choice(np.array([-1, 1], np.int8), size=tuple(t.shape))).astype(np.int8)
        out[f's/{name}'] = np.array([scale, offset], dtype=np.float32)
    return out


def decode_state_dict(arrays) -> Dict[str, torch.Tensor]:
    """The float32 state dict that ``ternary_state_dict`` codes describe (keys: the reference's names)."""
    state = {}
    for key in arrays.keys():
        kind, _, name = key.partition('/')
        if kind == 'w':
            scale, offset = arrays[f's/{name}']
            state[name] = torch.from_numpy(offset + scale * arrays[key].astype(np.float32))
        elif kind == 'i':
            state[name] = torch.from_numpy(np.array(arrays[key]))
    return state


def save_fixture(path: str, weights: Dict[str, np.ndarray], inputs: Dict[str, np.ndarray],
                 outputs: Dict[str, np.ndarray], meta: Dict) -> None:
    """Write ``path`` (``.npz.xz``): an uncompressed ``.npz`` inside LZMA, which packs the sparse ternary codes
    close to their entropy (about twice as small as ``savez_compressed``'s deflate)."""
    arrays = dict(weights)
    arrays.update({f'in/{k}': np.asarray(v) for k, v in inputs.items()})
    arrays.update({f'out/{k}': np.asarray(v) for k, v in outputs.items()})
    arrays['meta'] = np.array(json.dumps(meta, indent=1))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with open(path, 'wb') as f:
        f.write(lzma.compress(buffer.getvalue(), preset=9 | lzma.PRESET_EXTREME))


def load_fixture(name: str) -> Tuple[Dict[str, torch.Tensor], Dict[str, torch.Tensor], Dict[str, torch.Tensor], Dict]:
    """(state dict, inputs, outputs, meta) of ``tests/data/reference/<name>.npz.xz``."""
    with open(osp.join(REFERENCE_DIR, f'{name}.npz.xz'), 'rb') as f:
        raw = lzma.decompress(f.read())
    with np.load(io.BytesIO(raw)) as z:
        state = decode_state_dict(z)
        inputs = {k[3:]: torch.from_numpy(z[k]) for k in z.keys() if k.startswith('in/')}
        outputs = {k[4:]: torch.from_numpy(z[k]) for k in z.keys() if k.startswith('out/')}
        meta = json.loads(str(z['meta']))
    return state, inputs, outputs, meta
