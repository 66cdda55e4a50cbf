"""Foreground/background split of a text crop: K-means (k = 2) on gray values with the border rule (docs/design.md §4)."""
import numpy as np

from glyphsr_mm.utils.image import to_gray


def kmeans_foreground(image: np.ndarray, iters: int = 20) -> np.ndarray:
    """H x W bool text mask: two gray-value clusters, the one that does not own the borders is text.

    Clusters start at the darkest and brightest gray and run Lloyd iterations (deterministic). Label 1 is the
    brighter cluster; when label 1 is the majority on at least 3 of the 4 borders it is background, so the labels
    are inverted (SIGA/CCD's rule). This is Baseline2's line-level pseudo label.
    """
    gray = to_gray(image)
    lo, hi = float(gray.min()), float(gray.max())
    if hi - lo < 1e-6:
        return np.zeros(gray.shape, bool)
    centres = np.array([lo, hi], np.float32)
    for _ in range(iters):
        labels = np.abs(gray[..., None] - centres).argmin(-1)
        new = np.array([gray[labels == k].mean() if (labels == k).any() else centres[k] for k in (0, 1)],
                       np.float32)
        if np.allclose(new, centres):
            break
        centres = new
    labels = np.abs(gray[..., None] - centres).argmin(-1).astype(bool)
    borders = (labels[0], labels[-1], labels[:, 0], labels[:, -1])
    if sum(b.mean() > 0.5 for b in borders) >= 3:
        labels = ~labels
    return labels
