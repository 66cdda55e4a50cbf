"""Writing TextZoom-format LMDB folders (tests, converters, the synthetic generator)."""
import os
from typing import Dict, Optional, Union

import numpy as np

from .textzoom_lmdb import image_key, label_key

Image = Union[np.ndarray, bytes]


def encode_png(img: np.ndarray) -> bytes:
    """PNG bytes of an RGB (or gray) uint8 image."""
    import cv2
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode('.png', img)
    if not ok:
        raise ValueError(f'cannot encode image of shape {img.shape} as PNG')
    return buf.tobytes()


class TextZoomLMDBWriter:
    """Append samples to a new TextZoom LMDB folder; ``num-samples`` is written on every commit.

    Use as a context manager. Indices start at 1, as in TextZoom.

    Args:
        path: Output folder (created).
        map_size: LMDB map size in bytes.
        commit_every: Samples per write transaction.
    """

    def __init__(self, path: str, map_size: int = 1 << 34, commit_every: int = 1000) -> None:
        import lmdb
        os.makedirs(path, exist_ok=True)
        self.path = path
        self.env = lmdb.open(path, map_size=map_size)
        self.commit_every = commit_every
        self.count = 0
        self._pending: Dict[bytes, bytes] = {}

    def add(self, label: Union[str, bytes], lr: Image, hr: Optional[Image] = None,
            extra: Optional[Dict[str, bytes]] = None) -> int:
        """Add one sample; ``extra`` maps key prefixes (e.g. ``'glyph'``) to bytes stored as ``prefix-%09d``.

        Returns the sample's index.
        """
        self.count += 1
        i = self.count
        self._pending[label_key(i)] = label.encode('utf-8') if isinstance(label, str) else label
        self._pending[image_key('lr', i)] = lr if isinstance(lr, bytes) else encode_png(lr)
        if hr is not None:
            self._pending[image_key('hr', i)] = hr if isinstance(hr, bytes) else encode_png(hr)
        for prefix, value in (extra or {}).items():
            self._pending[b'%s-%09d' % (prefix.encode(), i)] = value
        if len(self._pending) >= 3 * self.commit_every:
            self.commit()
        return i

    def put_raw(self, key: bytes, value: bytes) -> None:
        """Store an arbitrary key (for tests of malformed data and for metadata)."""
        self._pending[key] = value

    def commit(self) -> None:
        with self.env.begin(write=True) as txn:
            for k, v in self._pending.items():
                txn.put(k, v)
            txn.put(b'num-samples', str(self.count).encode())
        self._pending.clear()

    def close(self) -> None:
        self.commit()
        self.env.close()

    def __enter__(self) -> 'TextZoomLMDBWriter':
        return self

    def __exit__(self, *exc) -> None:
        self.close()
