"""Glyph loss (L_glyph): line-map MSE + character-map MSE + character-class CE with a pad class."""
import string
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.registry import MODELS

#: GPM classes: 36 lower-case alphanumerics, then end, pad, unknown (39).
GLYPH_CLASSES = string.digits + string.ascii_lowercase
END_CLASS, PAD_CLASS, UNKNOWN_CLASS = 36, 37, 38


def glyph_class_targets(labels: Sequence[str], num_maps: int, device=None) -> torch.Tensor:
    """B x L class targets: character t of the (lower-cased) label, then the end class, then pad.

    Characters outside ``0-9a-z`` get the unknown class; labels longer than L are cut (the config check refuses
    L < max_len).
    """
    index = {c: i for i, c in enumerate(GLYPH_CLASSES)}
    out = torch.full((len(labels), num_maps), PAD_CLASS, dtype=torch.long)
    for b, text in enumerate(labels):
        chars = text.lower()[:num_maps]
        for t, c in enumerate(chars):
            out[b, t] = index.get(c, UNKNOWN_CLASS)
        if len(chars) < num_maps:
            out[b, len(chars)] = END_CLASS
    return out.to(device)


@MODELS.register_module()
class GlyphLoss(nn.Module):
    """``{'loss_glyph_line', 'loss_glyph_char', 'loss_glyph_cls'}`` for the GPM outputs.

    Pseudo masks (HR size, e.g. L x 32 x 128 from GEM or the synthetic renderer) are resized to the maps' size
    (area interpolation keeps them in [0, 1]). Without class logits or labels the class term is skipped.

    Args:
        line_weight / char_weight / cls_weight: Weights of the three terms (1, 1, 1).
        use_char_masks: False trains the line map only (the paper's Baseline2, K-means line masks).
    """

    def __init__(self, line_weight: float = 1.0, char_weight: float = 1.0, cls_weight: float = 1.0,
                 use_char_masks: bool = True) -> None:
        super().__init__()
        self.line_weight, self.char_weight, self.cls_weight = line_weight, char_weight, cls_weight
        self.use_char_masks = use_char_masks

    @staticmethod
    def _fit(mask: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        mask = mask.to(like.dtype)
        if mask.shape[-2:] != like.shape[-2:]:
            mask = F.interpolate(mask, size=like.shape[-2:], mode='area')
        return mask

    @property
    def uses_char_logits(self) -> bool:
        """Whether the loss reads the GPM's class logits (the class term is on)."""
        return self.use_char_masks and self.cls_weight != 0

    def forward(self, line_map: torch.Tensor, char_maps: torch.Tensor, char_logits: Optional[torch.Tensor],
                gt_line: torch.Tensor, gt_chars: Optional[torch.Tensor] = None,
                labels: Optional[List[str]] = None) -> Dict[str, torch.Tensor]:
        losses = {'loss_glyph_line': self.line_weight * F.mse_loss(line_map, self._fit(gt_line, line_map))}
        if self.use_char_masks:
            if gt_chars is None:
                raise ValueError('GlyphLoss(use_char_masks=True) needs character pseudo masks (gt_char_masks)')
            if gt_chars.shape[1] != char_maps.shape[1]:
                raise ValueError(f'{gt_chars.shape[1]} character masks for {char_maps.shape[1]} glyph maps')
            losses['loss_glyph_char'] = self.char_weight * F.mse_loss(char_maps, self._fit(gt_chars, char_maps))
            if char_logits is not None and labels is not None:
                target = glyph_class_targets(labels, char_logits.shape[1], char_logits.device)
                losses['loss_glyph_cls'] = self.cls_weight * F.cross_entropy(
                    char_logits.reshape(-1, char_logits.shape[-1]), target.reshape(-1))
        return losses
