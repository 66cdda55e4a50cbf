"""A small random rotation/shear/scale applied identically to LR, HR and glyph masks."""
from typing import Sequence

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from glyphsr_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class TextRandomAffine(BaseTransform):
    """Random affine warp about the image centre, the same geometry for every key whatever its size.

    Images (H x W x C) are warped with bilinear interpolation and border replication; masks (H x W x C too, keys
    in ``mask_keys``) with nearest neighbour and zero border. Applied after resizing, so LR and HR are aligned.

    Args:
        max_rotate: Maximum rotation in degrees.
        max_shear: Maximum horizontal shear (tan of the angle).
        scale: (min, max) isotropic scale.
        prob: Probability of applying the warp.
        image_keys: Keys of H x W x C images.
        mask_keys: Keys of H x W x C masks.
    """

    def __init__(self, max_rotate: float = 3.0, max_shear: float = 0.1, scale: Sequence[float] = (0.95, 1.05),
                 prob: float = 0.5, image_keys: Sequence[str] = ('img', 'gt'),
                 mask_keys: Sequence[str] = ('gt_char_masks', 'gt_line_mask')) -> None:
        self.max_rotate = max_rotate
        self.max_shear = max_shear
        self.scale = tuple(scale)
        self.prob = prob
        self.image_keys = list(image_keys)
        self.mask_keys = list(mask_keys)

    def random_matrix(self, rng: np.random.Generator) -> np.ndarray:
        """A 2 x 3 affine in normalised coordinates (the image spans [-1, 1] in x and y)."""
        a = np.deg2rad(rng.uniform(-self.max_rotate, self.max_rotate))
        s = rng.uniform(*self.scale)
        sh = rng.uniform(-self.max_shear, self.max_shear)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        return np.hstack([s * rot @ np.array([[1, sh], [0, 1]]), np.zeros((2, 1))])

    @staticmethod
    def pixel_matrix(m: np.ndarray, h: int, w: int) -> np.ndarray:
        """The normalised affine ``m`` for an h x w image (rotation in the image's aspect, pixel units)."""
        # Work in units of the image height so that rotation keeps angles for the wide text crops.
        # Pixel centres: x_n = (2x + 1 - w) / h, so LR and HR (any scale) get the same continuous warp.
        to_n = np.array([[2 / h, 0, (1 - w) / h], [0, 2 / h, (1 - h) / h], [0, 0, 1]])
        from_n = np.array([[h / 2, 0, (w - 1) / 2], [0, h / 2, (h - 1) / 2], [0, 0, 1]])  # inverse of to_n
        return (from_n @ np.vstack([m, [0, 0, 1]]) @ to_n)[:2]

    def transform(self, results: dict) -> dict:
        rng = np.random.default_rng(np.random.randint(2 ** 31))  # follows MMEngine's seeding of numpy
        if rng.random() >= self.prob:
            return results
        m = self.random_matrix(rng)
        for keys, flags, border in ((self.image_keys, cv2.INTER_LINEAR, cv2.BORDER_REPLICATE),
                                    (self.mask_keys, cv2.INTER_NEAREST, cv2.BORDER_CONSTANT)):
            for key in keys:
                if key in results:
                    img = results[key]
                    h, w = img.shape[:2]
                    results[key] = cv2.warpAffine(img, self.pixel_matrix(m, h, w), (w, h), flags=flags,
                                                  borderMode=border).reshape(img.shape)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_rotate={self.max_rotate}, max_shear={self.max_shear}, '
                f'scale={self.scale}, prob={self.prob})')
