"""The one storage format of glyph masks and character boxes: the synthetic set's records, the GEM cache and the
transforms all read and write it through these functions.

Masks: an L x H x W bool array, bit-packed and zlib-compressed behind a 6-byte header (L, H, W as uint16).
Boxes: JSON list of ``[x0, y0, x1, y1]`` per character. In a TextZoom LMDB of the synthetic set, sample ``i`` has
``glyph-%09d`` (its exact character masks) and ``boxes-%09d``.
"""
import json
import zlib
from typing import List, Sequence, Tuple

import numpy as np

GLYPH_PREFIX = 'glyph'
BOXES_PREFIX = 'boxes'


def glyph_key(index: int) -> bytes:
    """LMDB key of the exact character masks stored with synthetic sample ``index`` (1-based)."""
    return b'%s-%09d' % (GLYPH_PREFIX.encode(), index)


def boxes_key(index: int) -> bytes:
    """LMDB key of the character boxes stored with synthetic sample ``index`` (1-based)."""
    return b'%s-%09d' % (BOXES_PREFIX.encode(), index)


def encode_masks(masks: np.ndarray) -> bytes:
    """Bit-pack and compress an L x H x W bool array (L, H, W in a 6-byte header)."""
    n, h, w = masks.shape
    header = np.array([n, h, w], np.uint16).tobytes()
    return header + zlib.compress(np.packbits(masks.astype(bool), axis=None).tobytes(), 6)


def decode_masks(data: bytes) -> np.ndarray:
    """Inverse of :func:`encode_masks`: L x H x W bool."""
    n, h, w = (int(v) for v in np.frombuffer(data[:6], np.uint16))
    bits = np.frombuffer(zlib.decompress(data[6:]), np.uint8)
    return np.unpackbits(bits, count=n * h * w).reshape(n, h, w).astype(bool)


def encode_boxes(boxes: Sequence[Tuple[int, int, int, int]]) -> bytes:
    return json.dumps([list(map(int, b)) for b in boxes]).encode()


def decode_boxes(data: bytes) -> List[Tuple[int, int, int, int]]:
    return [tuple(b) for b in json.loads(data.decode())]


__all__ = ['GLYPH_PREFIX', 'BOXES_PREFIX', 'glyph_key', 'boxes_key', 'encode_masks', 'decode_masks', 'encode_boxes',
           'decode_boxes']
