"""The project's one reader of TextZoom-format LMDB folders (read-only, lock-free, opened lazily per process)."""
import os
import os.path as osp
from typing import Optional

import numpy as np

EXPECTED_LAYOUT = """\
A TextZoom LMDB folder (e.g. textzoom/train1, textzoom/test/easy) holds data.mdb (and lock.mdb) with keys:
  num-samples         ASCII integer N
  label-%09d          UTF-8 label,              i = 1..N
  image_hr-%09d       encoded HR image (PNG/JPEG)
  image_lr-%09d       encoded LR image (PNG/JPEG)"""


# One environment per (process, folder): LMDB refuses to open the same folder twice in a process, and the
# dataset (labels) and the loading transform (images) both read it.
_ENVS: dict = {}


class TextZoomLMDBError(ValueError):
    """A TextZoom LMDB folder or one of its records is unusable; the message names the path (and index)."""


def decode_image(raw: bytes, where: str) -> np.ndarray:
    """Decode encoded image bytes to RGB uint8 H x W x 3; ``where`` names the record in the error."""
    import cv2
    img = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise TextZoomLMDBError(f'{where} cannot be decoded ({len(raw)} bytes)')
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def label_key(index: int) -> bytes:
    return b'label-%09d' % index


def image_key(kind: str, index: int) -> bytes:
    """``kind`` is ``'hr'`` or ``'lr'``."""
    return b'image_%s-%09d' % (kind.encode(), index)


class TextZoomLMDB:
    """One TextZoom LMDB folder.

    The LMDB environment is opened on first use, once per process and folder (a forked or spawned worker opens
    its own; the object pickles as its path), read-only and without locking, so many data-loader workers can
    read the same folder.

    Args:
        path: The LMDB folder.
    """

    def __init__(self, path: str) -> None:
        self.path = osp.abspath(str(path))

    @property
    def env(self):
        key = (os.getpid(), self.path)
        if key not in _ENVS:
            try:
                _ENVS[key] = self._open()
            except TextZoomLMDBError as e:
                # A forked worker inherits its parent's open environment, and LMDB refuses a second one in the
                # same address space; the parent's read-only, lock-free map stays valid in the child.
                inherited = [env for (_, path), env in _ENVS.items() if path == self.path]
                if not inherited or 'already open' not in str(e):
                    raise
                _ENVS[key] = inherited[0]
        return _ENVS[key]

    def _open(self):
        import lmdb
        if not osp.isdir(self.path):
            raise TextZoomLMDBError(f'TextZoom LMDB folder not found: {self.path}\n{EXPECTED_LAYOUT}')
        if not osp.exists(osp.join(self.path, 'data.mdb')):
            raise TextZoomLMDBError(f'{self.path} is not an LMDB folder (no data.mdb in it)\n{EXPECTED_LAYOUT}')
        try:
            return lmdb.open(self.path, readonly=True, lock=False, readahead=False, meminit=False,
                             max_readers=126)
        except lmdb.Error as e:
            raise TextZoomLMDBError(f'cannot open LMDB {self.path}: {e}\n{EXPECTED_LAYOUT}') from e

    def close(self) -> None:
        """Close this process's handle of the folder (it reopens on next use)."""
        env = _ENVS.pop((os.getpid(), self.path), None)
        if env is not None:
            env.close()

    def get(self, key: bytes) -> Optional[bytes]:
        """Raw bytes stored under ``key``, or None."""
        with self.env.begin(write=False) as txn:
            value = txn.get(key)
        return None if value is None else bytes(value)

    def __len__(self) -> int:
        raw = self.get(b'num-samples')
        if raw is None:
            raise TextZoomLMDBError(f'{self.path}: key "num-samples" is missing\n{EXPECTED_LAYOUT}')
        try:
            return int(raw.decode('ascii').strip())
        except (UnicodeDecodeError, ValueError):
            raise TextZoomLMDBError(f'{self.path}: "num-samples" is not an integer ({raw[:32]!r})\n'
                                    f'{EXPECTED_LAYOUT}') from None

    def where(self, index: int) -> str:
        """``'<path>[index]'``, used in every message about a record."""
        return f'{self.path}[{index}]'

    def read_label(self, index: int) -> str:
        """The raw label of record ``index`` (1-based); raises TextZoomLMDBError if missing/empty/not UTF-8."""
        raw = self.get(label_key(index))
        if raw is None:
            raise TextZoomLMDBError(f'{self.where(index)}: key label-{index:09d} is missing')
        try:
            label = raw.decode('utf-8')
        except UnicodeDecodeError:
            raise TextZoomLMDBError(f'{self.where(index)}: label is not UTF-8 ({raw[:32]!r})') from None
        if not label.strip():
            raise TextZoomLMDBError(f'{self.where(index)}: label is empty')
        return label

    def has_image(self, kind: str, index: int) -> bool:
        with self.env.begin(write=False) as txn:
            return txn.get(image_key(kind, index)) is not None

    def read_image(self, kind: str, index: int) -> np.ndarray:
        """Decode image ``kind`` (``'hr'``/``'lr'``) of record ``index`` as an RGB uint8 H x W x 3 array."""
        return self.read_images(index, (kind, ))[kind]

    def read_images(self, index: int, kinds=('lr', 'hr'), optional=(), encoded: Optional[dict] = None) -> dict:
        """Decode several images of record ``index`` in one read transaction: ``{kind: RGB uint8 array}``.

        Kinds in ``optional`` are left out when missing; other missing or undecodable images raise
        TextZoomLMDBError naming the path and index. ``encoded``, when given, receives the stored bytes by kind.
        """
        out = {}
        with self.env.begin(write=False) as txn:
            for kind in kinds:
                raw = txn.get(image_key(kind, index))
                if raw is None:
                    if kind in optional:
                        continue
                    raise TextZoomLMDBError(f'{self.where(index)}: key image_{kind}-{index:09d} is missing')
                raw = bytes(raw)
                if encoded is not None:
                    encoded[kind] = raw
                out[kind] = decode_image(raw, f'{self.where(index)}: image_{kind}')
        return out
