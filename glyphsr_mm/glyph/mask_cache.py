"""The glyph-mask cache: an LMDB of GEM results keyed by sample content, written by ``tools/extract_glyphs.py``.

Key: ``sha1(label + raw HR bytes)`` (hex, 24 characters), so a cache stays valid when the data moves and two copies
of a sample share a record. Value: ``encode_masks`` of (1 + n) x H x W bits, the line mask first, then one mask per
label character (n = 0 for ``kmeans``). ``__meta__`` holds JSON: the mode and the GEM settings.
"""
import hashlib
import json
import os
from typing import Dict, Iterable, Optional, Set, Tuple

import numpy as np

from glyphsr_mm.datasets.mask_codec import decode_masks, encode_masks
from glyphsr_mm.datasets.textzoom_lmdb import TextZoomLMDB, image_key

META_KEY = b'__meta__'


def cache_or_none(path: Optional[str]) -> Optional[str]:
    """A configured cache path, or None for "no cache": None, '' or 'none' (a config's environment-variable default
    cannot be empty, so configs spell "no cache" 'none')."""
    return None if path in (None, '', 'none') else str(path)


def sample_key(label: str, hr_raw: bytes) -> bytes:
    """Content key of a TextZoom sample."""
    return hashlib.sha1(label.encode('utf-8') + b'\0' + hr_raw).hexdigest()[:24].encode()


def read_hr_bytes(db: TextZoomLMDB, index: int) -> bytes:
    """The stored (encoded) HR image of sample ``index``; GEM works on HR images, so a missing one is an error."""
    raw = db.get(image_key('hr', index))
    if raw is None:
        raise KeyError(f'{db.where(index)}: no HR image; GEM extracts glyphs from HR images')
    return raw


def record_key(db: TextZoomLMDB, index: int) -> bytes:
    """Content key of sample ``index`` of a TextZoom LMDB (reads its label and raw HR bytes)."""
    return sample_key(db.read_label(index), read_hr_bytes(db, index))


def encode_record(chars: np.ndarray, line: np.ndarray) -> bytes:
    return encode_masks(np.concatenate([line[None].astype(bool), chars.astype(bool)]))


def decode_record(raw: bytes) -> Tuple[np.ndarray, np.ndarray]:
    """(chars n x H x W bool, line H x W bool)."""
    masks = decode_masks(raw)
    return masks[1:], masks[0]


class GlyphMaskCache:
    """Read access to a cache (through the project's one LMDB reader)."""

    def __init__(self, path: str) -> None:
        self.path = str(path)
        self.db = TextZoomLMDB(self.path)

    def meta(self) -> dict:
        """The GEM settings the cache was written with ({} for a cache without them)."""
        raw = self.db.get(META_KEY)
        return json.loads(raw) if raw else {}

    def get(self, key: bytes) -> Optional[Tuple[np.ndarray, np.ndarray]]:
        raw = self.db.get(key)
        return None if raw is None else decode_record(raw)


def cache_keys(path: str) -> Set[bytes]:
    """All sample keys of a cache folder (empty when it does not exist yet)."""
    if not os.path.exists(os.path.join(path, 'data.mdb')):
        return set()
    db = TextZoomLMDB(path)  # LMDB allows one environment per path and process: share the reader's
    with db.env.begin() as txn:
        keys = {bytes(k) for k in txn.cursor().iternext(values=False) if bytes(k) != META_KEY}
    db.close()  # a writer may open the path next
    return keys


class GlyphMaskCacheWriter:
    """Append records in transactions; what :meth:`commit` returned from is on disk (a kill loses at most the
    uncommitted chunk)."""

    def __init__(self, path: str, map_size: int = 1 << 36) -> None:
        import lmdb
        os.makedirs(path, exist_ok=True)
        TextZoomLMDB(path).close()  # one environment per path and process: drop this process's read-only one
        self.path = path
        self.env = lmdb.open(path, map_size=map_size)

    def write(self, records: Iterable[Tuple[bytes, bytes]], meta: Optional[Dict] = None) -> None:
        with self.env.begin(write=True) as txn:
            for k, v in records:
                txn.put(k, v)
            if meta is not None:
                txn.put(META_KEY, json.dumps(meta, sort_keys=True).encode())

    def items(self) -> Iterable[Tuple[bytes, bytes]]:
        with self.env.begin() as txn:
            for k, v in txn.cursor():
                if bytes(k) != META_KEY:
                    yield bytes(k), bytes(v)

    def close(self) -> None:
        self.env.close()
