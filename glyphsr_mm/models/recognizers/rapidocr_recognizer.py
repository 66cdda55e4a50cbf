"""The rapidocr recognizer (PP-OCR recognition model inside the wheel, onnxruntime): predictions only.

It is not differentiable and exposes no probabilities, so it serves evaluation (``predict``) only; ``probs``
raises. Install with the ``eval`` extra (``pip install -e .[eval]``).
"""
from typing import List

import numpy as np
import torch

from glyphsr_mm.registry import MODELS
from .base import TextRecognizer


@MODELS.register_module()
class RapidOCRRecognizer(TextRecognizer):
    """rapidocr's text recognizer on single word images (no detection, no angle classifier).

    Args:
        height: The images are resized to this height (keeping the aspect) before recognition; rapidocr
            itself resizes to 48 pixels high.
    """

    def __init__(self, height: int = 48) -> None:
        super().__init__(checkpoint=None, allow_random=False)
        try:
            from rapidocr import RapidOCR
        except ImportError as e:
            raise ImportError(f'RapidOCRRecognizer needs rapidocr and onnxruntime: pip install -e .[eval] ({e})')
        self.engine = RapidOCR()
        self.height = height
        self._has_weights = True  # the model ships inside the wheel

    def probs(self, images: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError('rapidocr gives strings only; use a differentiable recognizer for the text prior')

    def logits(self, images: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError('rapidocr gives strings only')

    @torch.no_grad()
    def predict(self, images: torch.Tensor) -> List[str]:
        import cv2
        if images.dim() != 4:
            raise ValueError(f'expected B x C x H x W images in [0, 1], got {tuple(images.shape)}')
        arr = (images[:, :3].clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()
        out = []
        for img in arr:
            if img.shape[2] == 1:
                img = np.repeat(img, 3, axis=2)
            h, w = img.shape[:2]
            img = cv2.resize(img, (max(1, round(w * self.height / h)), self.height), interpolation=cv2.INTER_CUBIC)
            res = self.engine(np.ascontiguousarray(img[:, :, ::-1]), use_det=False, use_cls=False, use_rec=True)
            out.append(res.txts[0] if res.txts else '')
        return out
