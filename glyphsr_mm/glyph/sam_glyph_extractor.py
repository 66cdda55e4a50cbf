"""The Glyph Extraction Module: SAM-prompted per-character masks from a recognizer's attention (docs/design.md §4)."""
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn

from glyphsr_mm.registry import MODELS
from glyphsr_mm.utils.text import str_filt
from .anchors import make_anchors
from .foreground import kmeans_foreground
from .key_points import glyph_attention_points, position_attention_points
from .mask_selection import select_mask
from .sam_prompter import SAMPrompter, build_sam


class GlyphMasks(NamedTuple):
    """GEM output for one image: ``chars`` len(label) x H x W bool (label order; characters the recognizer does not
    read, e.g. punctuation, stay empty), ``line`` H x W bool (their union), and per character the reliability of
    both key points and the selection rule (``'iou'``, ``'score_area'``, ``'none'``, ``'skipped'``)."""
    chars: np.ndarray
    line: np.ndarray
    position_reliable: np.ndarray
    glyph_reliable: np.ndarray
    rules: List[str]


def read_positions(label: str, limit: int) -> List[int]:
    """Indices of the characters of ``label`` that a lower-case alphanumeric recognizer reads, in order."""
    return [i for i, ch in enumerate(label) if str_filt(ch, 'lower')][:limit]


@MODELS.register_module()
class SAMGlyphExtractor(nn.Module):
    """GEM: key points from attention, 4K + 1 anchors each, SAM point prompts, one mask per character.

    Args:
        sam: :func:`~glyphsr_mm.glyph.sam_prompter.build_sam` arguments (``model_type``, ``checkpoint``,
            ``allow_random``) or a ``Sam`` module.
        recognizer: Attention recognizer (config or module) with ``attention(images, labels)`` giving 2D maps
            B x T x h x w: key point 1. TBSRN's transformer recognizer in the paper.
        glyph_recognizer: Recognizer whose ``attention`` gives the 1D attention over the width for key point 2
            (B x T x w, e.g. ASTER's decoder). None: ``recognizer``'s 2D maps summed over the height.
        attention_shift: Decoding step ``t + attention_shift`` locates character ``t``. 0 for a recognizer whose
            attention looks at the character it predicts; some look at the one they were fed (the previous one):
            the 1/8-width TBSRN trained here does (its key points land in the box of character t - 1 three times
            out of four with shift 0), so its config uses 1.
        steps: Anchor step sizes (K = len(steps)).
        tau: SAM score threshold of the selection.
        attention_threshold / open_size: Filtering of the 2D attention (key point 1).
        glyph_threshold: Relative 1D attention below which columns are dropped (key point 2).
        image_size: (H, W) of the crops (HR 32 x 128).
        tile / encoder_batch / prompt_chunk / autocast: :class:`~glyphsr_mm.glyph.sam_prompter.SAMPrompter`
            options (``autocast='bf16'``: SAM in bfloat16 on a GPU).
    """

    def __init__(self, sam: Union[dict, nn.Module], recognizer: Union[dict, nn.Module],
                 glyph_recognizer: Union[dict, nn.Module, None] = None, attention_shift: int = 0,
                 steps: Sequence[float] = (2, 4),
                 tau: float = 0.8, attention_threshold: float = 0.5, open_size: int = 3,
                 glyph_threshold: float = 0.5, image_size: Tuple[int, int] = (32, 128), tile: bool = False,
                 encoder_batch: int = 4, prompt_chunk: Optional[int] = None, autocast: Optional[str] = None) -> None:
        super().__init__()
        sam = build_sam(**sam) if isinstance(sam, dict) else sam
        self.prompter = SAMPrompter(sam, image_size, encoder_batch, prompt_chunk, tile, autocast)
        self.recognizer = MODELS.build(recognizer) if isinstance(recognizer, dict) else recognizer
        self.glyph_recognizer = (MODELS.build(glyph_recognizer) if isinstance(glyph_recognizer, dict)
                                 else glyph_recognizer)
        self.steps, self.tau, self.image_size = tuple(steps), tau, tuple(image_size)
        self.attention_shift = attention_shift
        self.attention_threshold, self.open_size, self.glyph_threshold = attention_threshold, open_size, \
            glyph_threshold
        self.eval()

    @property
    def device(self) -> torch.device:
        return self.prompter.device

    @torch.no_grad()
    def attention(self, images: Sequence[np.ndarray], labels: Sequence[str]) -> Tuple[np.ndarray, np.ndarray]:
        """Teacher-forced attention for the labels: 2D (B x T x h x w) and over the width (B x T x w)."""
        x = torch.as_tensor(np.stack(images), device=self.device).permute(0, 3, 1, 2).float() / 255
        attn2d = self.recognizer.attention(x, list(labels)).float().cpu().numpy()
        attn1d = attn2d if self.glyph_recognizer is None else \
            self.glyph_recognizer.attention(x, list(labels)).float().cpu().numpy()
        return attn2d, attn1d.sum(2) if attn1d.ndim == 4 else attn1d  # 2D maps: summed over the height

    def key_points(self, image: np.ndarray, attn2d: np.ndarray, attn1d: np.ndarray):
        """Both key points of each step, and the K-means foreground they use."""
        foreground = kmeans_foreground(image)
        kp1 = position_attention_points(attn2d, self.image_size, self.attention_threshold, self.open_size)
        kp2 = glyph_attention_points(foreground, attn1d, self.glyph_threshold)
        return kp1, kp2, foreground

    def anchors(self, kp1, kp2) -> List[np.ndarray]:
        """Anchors of each character: around every reliable key point (both guesses when neither is)."""
        out = []
        for t in range(len(kp1.points)):
            pts = [kp.points[t] for kp in (kp1, kp2) if kp.reliable[t]] or [kp1.points[t], kp2.points[t]]
            out.append(make_anchors(np.stack(pts), self.steps, self.image_size).reshape(-1, 2))
        return out

    @torch.no_grad()
    def forward(self, images: Sequence[np.ndarray], labels: Sequence[str]) -> List[GlyphMasks]:
        """GEM for a batch of H x W x 3 uint8 RGB crops and their labels."""
        if len(images) != len(labels):
            raise ValueError(f'{len(images)} images but {len(labels)} labels')
        h, w = self.image_size
        attn2d, attn1d = self.attention(images, labels)
        embeddings = self.prompter.embed(images)
        results = []
        for b, (img, label) in enumerate(zip(images, labels)):
            pos = read_positions(label, attn2d.shape[1] - self.attention_shift)
            chars = np.zeros((len(label), h, w), bool)
            rules = ['skipped'] * len(label)
            rel1, rel2 = np.zeros(len(label), bool), np.zeros(len(label), bool)
            if pos:
                n = len(pos)
                steps = slice(self.attention_shift, self.attention_shift + n)
                kp1, kp2, _ = self.key_points(img, attn2d[b, steps], attn1d[b, steps])
                anchors = self.anchors(kp1, kp2)
                masks, scores = self.prompter.predict(embeddings, b, np.concatenate(anchors))
                start = 0
                for t, i in enumerate(pos):
                    cand = slice(start, start + len(anchors[t]))
                    start += len(anchors[t])
                    m, s = masks[cand].reshape(-1, h, w), scores[cand].reshape(-1)
                    k, rules[i] = select_mask(m, s, kp2.regions[t] if kp2.reliable[t] else None, self.tau)
                    if k >= 0:
                        chars[i] = m[k]
                    rel1[i], rel2[i] = kp1.reliable[t], kp2.reliable[t]
            results.append(GlyphMasks(chars, chars.any(0), rel1, rel2, rules))
        return results


def kmeans_glyph_masks(image: np.ndarray, label: str) -> GlyphMasks:
    """Baseline2's pseudo label: the K-means foreground as the line mask, no character masks."""
    line = kmeans_foreground(image)
    n = len(label)
    return GlyphMasks(np.zeros((0, *line.shape), bool), line, np.zeros(n, bool), np.zeros(n, bool), [])


def summarize(results: Sequence[GlyphMasks]) -> Dict[str, float]:
    """Share of characters per selection rule and of reliable key points (for logs and reports)."""
    rules = [r for g in results for r in g.rules]
    n = max(1, len(rules))
    out = {f'rule_{k}': rules.count(k) / n for k in ('iou', 'score_area', 'none', 'skipped')}
    out['position_reliable'] = float(np.mean(np.concatenate([g.position_reliable for g in results]))) if rules else 0.
    out['glyph_reliable'] = float(np.mean(np.concatenate([g.glyph_reliable for g in results]))) if rules else 0.
    return out
