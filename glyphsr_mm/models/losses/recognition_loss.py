"""A frozen, pretrained CTC recognizer reads SR; its CTC loss against the label (a text-recognition loss)."""
from typing import Dict, List, Union

import torch
import torch.nn as nn

from glyphsr_mm.registry import MODELS
from .frozen_recognizer_loss import FrozenRecognizerLoss


@MODELS.register_module()
class RecognitionLoss(FrozenRecognizerLoss):
    """``{'loss_rec': w * CTC(recognizer(SR), label)}`` with a frozen recognizer in eval mode.

    Not a loss of the paper (TPGSR-style recognition guidance). Measured in docs/reproduction.md: with EasyOCR
    english_g2 at weight 0.01 on the `make demo` network it overrides the pixel loss (PSNR 5.6 dB below bicubic
    after 300 iterations, rapidocr 18%), so no shipped recipe uses it; smaller weights are untested.

    Args:
        recognizer: Config or module of a CTC recognizer with real weights (e.g. ``EasyOCRRecognizer``).
        loss_weight: Weight of the CTC loss.
    """

    def __init__(self, recognizer: Union[dict, nn.Module], loss_weight: float = 0.01) -> None:
        super().__init__(recognizer)
        if not self.recognizer.charset.ctc:
            raise ValueError(f'RecognitionLoss needs a CTC recognizer, got {type(self.recognizer).__name__}')
        self.loss_weight = loss_weight

    def forward(self, sr: torch.Tensor, labels: List[str]) -> Dict[str, torch.Tensor]:
        return {'loss_rec': self.loss_weight * self.recognizer.ctc_loss(sr, labels)}
