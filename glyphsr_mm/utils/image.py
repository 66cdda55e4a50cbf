"""Image helpers shared by the data pipeline, GEM, the recognizers and the inferencer (a leaf: numpy, PIL, OpenCV).
"""
from typing import Optional, Sequence

import numpy as np

#: ITU-R 601 luma weights (R, G, B): the gray image of TextZoom's recognizers, GEM's K-means and the text mask.
GRAY_WEIGHTS = (0.299, 0.587, 0.114)


def to_gray(image: np.ndarray) -> np.ndarray:
    """H x W x 3 RGB (uint8 or float; extra channels ignored) -> H x W float32 gray, same value range."""
    if image.ndim == 2:
        return image.astype(np.float32)
    return image[..., :3].astype(np.float32) @ np.array(GRAY_WEIGHTS, np.float32)


def resize_bicubic(img: np.ndarray, size: Optional[Sequence[int]], backend: str = 'pillow') -> np.ndarray:
    """Bicubic resize of an H x W (x C) uint8 image to ``size`` = (H, W); a no-op when ``size`` is None or already
    the image's size.

    ``'pillow'`` is TextZoom's reference resizing (TSRN's ``resizeNormalize``, anti-aliased when shrinking);
    ``'cv2'`` is about 4x faster but not identical (OpenCV's bicubic kernel, no anti-aliasing).
    """
    if size is None or tuple(img.shape[:2]) == tuple(size):
        return img
    if backend == 'cv2':
        import cv2
        return cv2.resize(img, (size[1], size[0]), interpolation=cv2.INTER_CUBIC)
    if backend != 'pillow':
        raise ValueError(f"backend must be 'pillow' or 'cv2', got {backend!r}")
    from PIL import Image
    return np.asarray(Image.fromarray(img).resize((size[1], size[0]), Image.BICUBIC))
