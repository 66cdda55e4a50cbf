"""TextZoom's optional 4th input channel: a binary text mask from the gray image (docs/design.md §1)."""
from typing import Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform

from glyphsr_mm.registry import TRANSFORMS
from glyphsr_mm.utils.image import to_gray


def text_mask(img: np.ndarray) -> np.ndarray:
    """Binary mask of an RGB H x W x 3 image: 1 where gray <= mean gray, else 0; H x W x 1, ``img``'s dtype.

    As TSRN/TPGSR: gray is PIL's ``convert('L')`` for uint8 images (ITU-R 601-2 luma, rounded); pixels brighter
    than the mean are background.
    """
    if img.dtype == np.uint8:
        from PIL import Image
        gray = np.asarray(Image.fromarray(np.ascontiguousarray(img[..., :3])).convert('L'), np.float32)
    else:
        gray = to_gray(img)
    return (gray <= gray.mean()).astype(img.dtype)[..., None]


@TRANSFORMS.register_module()
class AddTextMaskChannel(BaseTransform):
    """Append :func:`text_mask` as a 4th channel to each image in ``keys`` (after resizing).

    The mask channel takes the value range of the image dtype's "1": 255 for uint8 images (so that the data
    preprocessor's division by 255 maps it to {0, 1}), 1 for float images.

    Args:
        keys: Result keys of H x W x 3 images (default: LR ``img`` and HR ``gt``).
    """

    def __init__(self, keys: Union[str, Sequence[str]] = ('img', 'gt')) -> None:
        self.keys = [keys] if isinstance(keys, str) else list(keys)

    def transform(self, results: dict) -> dict:
        for key in self.keys:
            if key not in results:
                continue
            img = results[key]
            if img.ndim != 3 or img.shape[2] != 3:
                raise ValueError(f'AddTextMaskChannel: results[{key!r}] must be H x W x 3, got {img.shape}')
            one = 255 if img.dtype == np.uint8 else 1
            results[key] = np.concatenate([img, text_mask(img) * one], axis=2)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(keys={self.keys})'
