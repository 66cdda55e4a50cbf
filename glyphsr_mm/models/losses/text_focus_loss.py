"""TBSRN's text focus loss: attention-map L1 and confusion-weighted CE of a transformer recognizer on SR vs HR."""
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.registry import MODELS
from .confusion_ce import ConfusionWeightedCELoss
from .frozen_recognizer_loss import FrozenRecognizerLoss


@MODELS.register_module()
class TextFocusLoss(FrozenRecognizerLoss):
    """``{'loss_tf_attn', 'loss_tf_ce'}``: the recognizer reads SR and HR with the label as teacher-forced input.

    The recognizer (:class:`TBSRNTransformerRecognizer`, frozen, eval mode) must have real weights: TBSRN's
    ``pretrain_transformer.pth`` or one trained by ``tools/train_recognizer.py``. Gradients reach SR only.

    Args:
        recognizer: Config or module with ``teacher_forced(images, labels)`` and ``encode_labels``.
        attention_weight: Weight of the attention L1 (TBSRN: 10).
        ce_weight: Weight of the weighted CE (TBSRN: 0.0005).
        confusion: Path of the 62x62 confusion matrix (``confusion_62x62.npy``); None: plain CE.
        loss_weight: Multiplies both terms (GlyphSR: 1 for L_tf as a whole).
    """

    def __init__(self, recognizer: Union[dict, nn.Module], attention_weight: float = 10.0,
                 ce_weight: float = 0.0005, confusion: Optional[str] = None, loss_weight: float = 1.0) -> None:
        super().__init__(recognizer)
        self.ce = ConfusionWeightedCELoss(confusion)
        self.attention_weight, self.ce_weight, self.loss_weight = attention_weight, ce_weight, loss_weight

    def forward(self, sr: torch.Tensor, hr: torch.Tensor, labels: List[str]) -> Dict[str, torch.Tensor]:
        rec = self.recognizer
        tokens, targets = rec.encode_labels(labels, sr.device)  # once for both reads
        with torch.no_grad():
            _, attn_hr = rec.teacher_forced(hr, labels, tokens)
        logits_sr, attn_sr = rec.teacher_forced(sr, labels, tokens)
        w = self.loss_weight
        return {'loss_tf_attn': w * self.attention_weight * F.l1_loss(attn_sr, attn_hr),
                'loss_tf_ce': w * self.ce_weight * self.ce(logits_sr, targets)}
