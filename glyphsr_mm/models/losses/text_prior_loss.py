"""TPGSR's text-prior loss: L1 + KL between the priors of LR and HR (when the recognizer is fine-tuned)."""
from typing import Dict

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.registry import MODELS


@MODELS.register_module()
class TextPriorLoss(nn.Module):
    """``{'loss_tp': loss_weight * (L1(p_lr, p_hr) + KL(p_hr || p_lr))}`` over B x D x 1 x T probabilities.

    Args:
        loss_weight: 100 in TPGSR.
    """

    def __init__(self, loss_weight: float = 100.0, eps: float = 1e-8) -> None:
        super().__init__()
        self.loss_weight, self.eps = loss_weight, eps

    def forward(self, prior_lr: torch.Tensor, prior_hr: torch.Tensor) -> Dict[str, torch.Tensor]:
        prior_hr = prior_hr.detach()
        # KL(p_hr || p_lr) per step, both sides smoothed by eps so that equal priors give exactly 0.
        kl = (prior_hr * ((prior_hr + self.eps).log() - (prior_lr + self.eps).log())).sum(1).mean()
        return {'loss_tp': self.loss_weight * (F.l1_loss(prior_lr, prior_hr) + kl)}
