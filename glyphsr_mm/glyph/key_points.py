"""GEM key points per character from a recognizer's attention (docs/design.md §4, steps 1-2).

Both functions take the attention of one image (all decoding steps) and return one key point per step with a
reliability flag; unreliable points are still returned (the best guess), the caller decides what to do with them.
"""
from typing import NamedTuple, Tuple

import cv2
import numpy as np


class KeyPoints(NamedTuple):
    """Per character t: ``points[t]`` = (x, y) pixels, ``reliable[t]``; glyph attention also fills
    ``regions[t]`` (H x W bool, the attention-weighted foreground) and ``boxes[t]`` (x0, y0, x1, y1)."""
    points: np.ndarray
    reliable: np.ndarray
    regions: np.ndarray = None
    boxes: np.ndarray = None


def _resize(maps: np.ndarray, size: Tuple[int, int]) -> np.ndarray:
    """T x h x w -> T x H x W (bilinear), each map scaled to a maximum of 1 (all-zero maps stay zero)."""
    maps = np.asarray(maps, np.float32)
    out = np.stack([cv2.resize(m, (size[1], size[0]), interpolation=cv2.INTER_LINEAR) for m in maps]) \
        if len(maps) else np.zeros((0, *size), np.float32)
    peak = out.reshape(len(out), -1).max(1, initial=0)[:, None, None]
    return np.where(peak > 0, out / np.maximum(peak, 1e-12), 0)


def position_attention_points(attention: np.ndarray, size: Tuple[int, int] = (32, 128), threshold: float = 0.5,
                              open_size: int = 3) -> KeyPoints:
    """Key point 1: the centre of the strongest connected region of each step's 2D attention map.

    Args:
        attention: T x h x w attention maps (e.g. TBSRN's 8 x 32 cross-attention, heads averaged).
        size: (H, W) of the image the points refer to.
        threshold: Responses below ``threshold`` x the map's maximum are removed.
        open_size: Kernel of the morphological opening that removes specks (0 disables).

    Returns:
        :class:`KeyPoints`; a step is unreliable when nothing survives the filtering (its point is the argmax).
    """
    maps = _resize(attention, size)
    kernel = np.ones((open_size, open_size), np.uint8) if open_size > 1 else None
    points = np.zeros((len(maps), 2), np.float32)
    reliable = np.zeros(len(maps), bool)
    for t, m in enumerate(maps):
        keep = (m >= threshold).astype(np.uint8) if m.max() > 0 else np.zeros(size, np.uint8)
        if kernel is not None:
            keep = cv2.morphologyEx(keep, cv2.MORPH_OPEN, kernel)
        n, labels = cv2.connectedComponents(keep, connectivity=8)
        if n > 1:
            strength = np.bincount(labels.ravel(), weights=m.ravel(), minlength=n)[1:]
            ys, xs = np.nonzero(labels == 1 + int(strength.argmax()))
            points[t] = xs.mean(), ys.mean()
            reliable[t] = True
        else:
            y, x = np.unravel_index(int(m.argmax()), m.shape)
            points[t] = x, y
    return KeyPoints(points, reliable)


def glyph_attention_points(foreground: np.ndarray, attention: np.ndarray, threshold: float = 0.5) -> KeyPoints:
    """Key point 2: the centre of the minimum bounding rectangle of the foreground under each step's 1D attention.

    Args:
        foreground: H x W bool text mask (:func:`~glyphsr_mm.glyph.foreground.kmeans_foreground`).
        attention: T x w attention over the width (an attention decoder's alignment, any w: resized to W).
        threshold: Columns whose attention is below ``threshold`` x the step's maximum are dropped.

    Returns:
        :class:`KeyPoints` with ``regions`` (foreground x attention, thresholded) and ``boxes``; a step is
        unreliable when its region is empty (its point is then the attention peak at mid-height).
    """
    h, w = foreground.shape
    cols = _resize(np.asarray(attention, np.float32)[:, None, :], (1, w))[:, 0]  # T x W, max 1
    regions = foreground[None] & (cols >= threshold)[:, None, :]
    t_steps = len(cols)
    points = np.zeros((t_steps, 2), np.float32)
    boxes = np.zeros((t_steps, 4), np.float32)
    reliable = regions.reshape(t_steps, -1).any(1)
    for t in range(t_steps):
        if reliable[t]:
            ys, xs = np.nonzero(regions[t])
            (cx, cy), _, _ = cv2.minAreaRect(np.stack([xs, ys], 1).astype(np.float32))
            points[t] = cx, cy
            boxes[t] = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
        else:
            points[t] = float(cols[t].argmax()), (h - 1) / 2
    return KeyPoints(points, reliable, regions, boxes)
