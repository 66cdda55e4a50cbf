"""GlyphSRNet: the GlyphSR generator (TPGSR-style SR branch + text prior + GPM head + GFM necks).

Module names follow the authors' release so that its checkpoint converts by renaming nothing
(``tools/model_converters/official_to_glyphsr_mm.py``): ``block1``, SR blocks ``block2 .. block{N+1}``,
``block{N+2}`` (conv + BN), ``block_up``, ``block_out``, the TP transformer ``infoGen`` and its DSTA ``dsta_rec``,
the GPM ``char_seg`` and the GFMs ``block_merge{k}`` (k = name index of the SR block they follow),
``stn_head``/``tps``.
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.models.layers import DSTA, Mish, STNHead, TPSSpatialTransformer
from glyphsr_mm.registry import MODELS
from .gfm import GlyphFusionNeck
from .gpm import GlyphPerceptionHead
from .sr_block import TextPriorSRBlock
from .text_prior_transformer import TextPriorTransformer

STN_MODES = ('off', 'rectify', 'release')


class UpsampleBlock(nn.Module):
    """conv 3x3 C -> C*s^2, PixelShuffle(s), Mish (release name ``block_up.N.conv``)."""

    def __init__(self, channels: int, scale: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels * scale ** 2, 3, padding=1)
        self.pixel_shuffle = nn.PixelShuffle(scale)
        self.mish = Mish()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mish(self.pixel_shuffle(self.conv(x)))


@MODELS.register_module()
class GlyphSRNet(nn.Module):
    """The GlyphSR generator. ``forward(lr, text_prior) -> (sr, (line_map, char_maps, char_logits))``.

    Args:
        in_channels: Image channels in and out: 3, or 4 with the mean-threshold mask channel (release).
        scale: Upscaling factor (2).
        channels: SR feature channels C_sr (64; the release calls it ``hidden_units=32`` and doubles it).
        num_blocks: N, the number of SR blocks (5).
        prior_classes: D of the text prior B x D x 1 x T (95 PARSeq, 37 CRNN); 0 disables the text prior.
        prior_channels: C_tp (32).
        glyph_block: N_gly, the (1-based) SR block after which GPM runs and GFMs start (4; the release's
            ``char_block=5`` names the same block). None builds no glyph modules (Baseline1).
        use_gfm: Build the GFM necks (False: GPM only, the paper's "w/o GFM").
        num_maps: L, glyph maps (16 release; 15 paper).
        num_classes: GPM character classes (39).
        gpm_scales: GPM pyramid levels, 2 (release) or 3 (paper).
        stn: ``'rectify'``: TPS-STN rectifies the input in training (TPGSR; skipped in eval); ``'release'``: the
            modules exist (their weights load) but never run, as in the release; ``'off'``: no STN.
        lr_size: (H, W) of LR inputs (16, 64): the size of the TP hint and of the STN.
        tp_paddings: Paddings of the TP transformer's tconv3/tconv4.
        dcn_backend: Deformable-conv backend of every DSTA block (``'auto'``, ``'mmcv'``, ``'torchvision'``).
        bicubic_skip: Not in the paper or the release (off by default): output ``bicubic(input) + residual``
            (last conv zero-initialised, no tanh), so the network starts at the bicubic image instead of learning
            to reproduce its input first. ``make demo`` uses it to learn something useful in minutes on a CPU.
    """

    def __init__(self, in_channels: int = 4, scale: int = 2, channels: int = 64, num_blocks: int = 5,
                 prior_classes: int = 95, prior_channels: int = 32, glyph_block: Optional[int] = 4,
                 use_gfm: bool = True, num_maps: int = 16, num_classes: int = 39, gpm_scales: int = 2,
                 stn: str = 'rectify', lr_size: Sequence[int] = (16, 64), tp_paddings: Sequence = (1, 1),
                 dcn_backend: str = 'auto', bicubic_skip: bool = False) -> None:
        super().__init__()
        if stn not in STN_MODES:
            raise ValueError(f'stn must be one of {STN_MODES}, got {stn!r}')
        if glyph_block is not None and not 1 <= glyph_block <= num_blocks:
            raise ValueError(f'glyph_block (N_gly) must be in 1..{num_blocks} (num_blocks), got {glyph_block}; '
                             'use None for no glyph modules')
        if scale & (scale - 1) or scale < 2:
            raise ValueError(f'scale must be a power of two >= 2, got {scale}')
        self.in_channels, self.num_blocks, self.glyph_block = in_channels, num_blocks, glyph_block
        self.use_gfm, self.stn, self.lr_size = use_gfm and glyph_block is not None, stn, tuple(lr_size)
        self.prior_channels = prior_channels if prior_classes else 0
        # What a restorer needs to know to drive this generator (see GlyphSR.generate).
        self.prior_classes, self.takes_text_prior = prior_classes, bool(prior_classes)
        self.block1 = nn.Sequential(nn.Conv2d(in_channels, channels, 9, padding=4), nn.PReLU())
        for i in range(num_blocks):
            self.add_module(f'block{i + 2}', TextPriorSRBlock(channels, self.prior_channels))
        self.add_module(f'block{num_blocks + 2}',
                        nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.BatchNorm2d(channels)))
        self.block_up = nn.Sequential(*[UpsampleBlock(channels, 2) for _ in range(scale.bit_length() - 1)])
        self.block_out = nn.Sequential(nn.Conv2d(channels, in_channels, 9, padding=4))
        self.bicubic_skip, self.scale = bicubic_skip, scale
        if bicubic_skip:
            nn.init.zeros_(self.block_out[0].weight)
            nn.init.zeros_(self.block_out[0].bias)
        if prior_classes:
            self.infoGen = TextPriorTransformer(prior_classes, prior_channels, tp_paddings)
            self.dsta_rec = DSTA(prior_channels, dcn_backend=dcn_backend)
        if glyph_block is not None:
            self.char_seg = GlyphPerceptionHead(channels, num_maps, num_classes, gpm_scales)
            if self.use_gfm:
                for k in range(glyph_block, num_blocks + 1):
                    self.add_module(f'block_merge{k + 1}', GlyphFusionNeck(channels, num_maps, dcn_backend))
        if stn != 'off':
            self.stn_head = STNHead(in_channels, 20, input_size=lr_size)
            self.tps = TPSSpatialTransformer(lr_size, 20, (0.05, 0.05))

    def text_prior_hint(self, text_prior: torch.Tensor, size: Tuple[int, int]) -> torch.Tensor:
        """B x D x 1 x T probabilities -> B x C_tp x H x W hint (TP transformer, resize, DSTA)."""
        return self.dsta_rec(self.infoGen(text_prior, size))

    def forward(self, lr: torch.Tensor, text_prior: Optional[torch.Tensor] = None, with_char_logits: bool = True):
        """LR B x C x h x w (+ prior B x D x 1 x T) -> (sr, (line_map, char_maps, char_logits)); the glyph outputs
        are None without glyph modules, ``char_logits`` also with ``with_char_logits=False`` (GPM class branch
        skipped)."""
        if lr.dim() != 4 or lr.shape[1] != self.in_channels:
            raise ValueError(f'GlyphSRNet expects B x {self.in_channels} x H x W input, got {tuple(lr.shape)}')
        if self.stn == 'rectify' and self.training:
            x = lr if tuple(lr.shape[-2:]) == self.lr_size else F.interpolate(
                lr, self.lr_size, mode='bilinear', align_corners=True)
            lr, _ = self.tps(x, self.stn_head(x)[1])
        feat = first = self.block1(lr)
        hint = None
        if self.prior_channels:
            if text_prior is None:
                raise ValueError('GlyphSRNet was built with a text prior (prior_classes > 0): pass text_prior')
            hint = self.text_prior_hint(text_prior, tuple(feat.shape[-2:]))
        line_map = char_maps = char_logits = None
        for i in range(1, self.num_blocks + 1):
            feat = getattr(self, f'block{i + 1}')(feat, hint)
            if self.glyph_block is not None and i == self.glyph_block:
                line_map, char_maps, char_logits = self.char_seg(feat, with_char_logits)
            if self.use_gfm and i >= self.glyph_block:
                feat = getattr(self, f'block_merge{i + 1}')(feat, char_maps)
        feat = getattr(self, f'block{self.num_blocks + 2}')(feat)
        out = self.block_out(self.block_up(first + feat))
        if self.bicubic_skip:
            sr = F.interpolate(lr, scale_factor=self.scale, mode='bicubic', align_corners=False) + out
        else:
            sr = torch.tanh(out)
        return sr, (line_map, char_maps, char_logits)
