"""Anchor prompts around a key point: itself and shifts up, down, left, right by each step (4K + 1 points)."""
from typing import Sequence, Tuple

import numpy as np


def make_anchors(points: np.ndarray, steps: Sequence[float] = (2, 4),
                 size: Tuple[int, int] = (32, 128)) -> np.ndarray:
    """Anchors for T key points.

    Args:
        points: T x 2 key points as (x, y) pixels.
        steps: The K step sizes in pixels (docs/design.md §4: {2, 4}).
        size: (H, W) of the image; anchors are clipped to it.

    Returns:
        T x (4K + 1) x 2 float32 (x, y): the key point first, then up, down, left, right for each step.
    """
    offsets = [(0.0, 0.0)]
    for s in steps:
        offsets += [(0.0, -s), (0.0, s), (-s, 0.0), (s, 0.0)]
    anchors = np.asarray(points, np.float32).reshape(-1, 1, 2) + np.asarray(offsets, np.float32)[None]
    anchors[..., 0] = anchors[..., 0].clip(0, size[1] - 1)
    anchors[..., 1] = anchors[..., 1].clip(0, size[0] - 1)
    return anchors
