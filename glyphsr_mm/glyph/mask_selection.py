"""GEM's choice among SAM's candidate masks for one character (docs/design.md §4, step 4)."""
from typing import Optional, Tuple

import numpy as np


def mask_iou(masks: np.ndarray, region: np.ndarray) -> np.ndarray:
    """IoU of each N x H x W bool mask with one H x W bool region (0 where both are empty)."""
    inter = (masks & region).reshape(len(masks), -1).sum(1)
    union = (masks | region).reshape(len(masks), -1).sum(1)
    return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


def select_mask(masks: np.ndarray, scores: np.ndarray, region: Optional[np.ndarray] = None,
                tau: float = 0.8) -> Tuple[int, str]:
    """Index of the chosen candidate and the rule that chose it.

    Candidates whose score exceeds ``tau`` are ranked by IoU with the glyph-attention ``region``
    (rule ``'iou'``). When the region is missing or empty, no candidate passes ``tau``, or none overlaps the
    region, all non-empty candidates are ranked by ``score / sqrt(area)`` (rule ``'score_area'``), which
    prefers confident small masks over the whole word. Returns (-1, 'none') when every candidate is empty.

    Args:
        masks: N x H x W bool candidates.
        scores: N predicted IoU scores.
        region: H x W bool glyph-attention region, or None when glyph attention is unreliable.
        tau: Score threshold.
    """
    masks, scores = np.asarray(masks, bool), np.asarray(scores, np.float64)
    if region is not None and region.any():
        keep = np.flatnonzero(scores > tau)
        if len(keep):
            iou = mask_iou(masks[keep], region)
            if iou.max() > 0:
                return int(keep[iou.argmax()]), 'iou'
    area = masks.reshape(len(masks), -1).sum(1)
    if not area.any():
        return -1, 'none'
    rank = np.where(area > 0, scores / np.sqrt(np.maximum(area, 1)), -np.inf)
    return int(rank.argmax()), 'score_area'
