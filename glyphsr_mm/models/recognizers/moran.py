"""MORAN (Luo et al., PR 2019) in MORAN_v2's layout: TextZoom's MORAN evaluator, natively.

MORN predicts vertical offsets on a coarse grid and resamples the gray 32x100 input (twice at test time:
``enhance=1``); ASRN reads it with a residual CNN, two BiLSTMs and a GRU attention decoder (left-to-right; the
right-to-left twin of ``BidirDecoder=True`` checkpoints is built so that they load, but TextZoom reads the
left-to-right output only). Classes: ``0-9a-z`` then ``$`` (end, class 36). TextZoom feeds bicubic 32x100 gray images
in [0, 1]. Resampling follows the release as it runs on current torch: ``grid_sample`` and the bilinear resize
with ``align_corners=False`` (the calls pass no flag; ``align_corners=True`` gives the torch < 1.3 behaviour MORAN
was trained with, as an option). Parameter names follow ``moran.pth`` (``MORN.cnn.N``, ``ASRN.cnn.blockN``, ``ASRN.rnn``,
``ASRN.attentionL2R``/``attentionR2L``); ``module.`` prefixes are accepted.
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.registry import MODELS
from glyphsr_mm.utils.text import str_filt
from .base import Charset, Preprocess, TextRecognizer
from .crnn import BidirectionalLSTM

MORAN_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'  # then '$' (end)


def _identity_grid(h: int, w: int) -> torch.Tensor:
    ys, xs = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w), indexing='ij')
    return torch.stack([xs, ys], -1).unsqueeze(0)  # 1 x h x w x 2


class MORN(nn.Module):
    """Multi-object rectification network: offsets from a small CNN, smoothed by a 2x2 max-pool, applied along y."""

    def __init__(self, in_channels: int = 1, size=(32, 100), enhance: int = 1, align_corners: bool = False) -> None:
        super().__init__()
        self.size, self.enhance, self.align_corners = tuple(size), enhance, align_corners
        self.cnn = nn.Sequential(
            nn.MaxPool2d(2, 2),
            nn.Conv2d(in_channels, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.ReLU(True), nn.MaxPool2d(2, 2),
            nn.Conv2d(64, 128, 3, 1, 1), nn.BatchNorm2d(128), nn.ReLU(True), nn.MaxPool2d(2, 2),
            nn.Conv2d(128, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.ReLU(True),
            nn.Conv2d(64, 16, 3, 1, 1), nn.BatchNorm2d(16), nn.ReLU(True),
            nn.Conv2d(16, 1, 3, 1, 1), nn.BatchNorm2d(1))
        self.pool = nn.MaxPool2d(2, 1)
        self.register_buffer('grid', _identity_grid(*self.size), persistent=False)

    def _offsets(self, x: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
        off = self.cnn(x)
        off = self.pool(F.relu(off)) - self.pool(F.relu(-off))
        return F.grid_sample(off, grid, align_corners=self.align_corners).permute(0, 2, 3, 1)  # B x H x W x 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        grid = self.grid.expand(x.shape[0], -1, -1, -1)
        small = F.interpolate(x, self.size, mode='bilinear', align_corners=self.align_corners)
        offsets = self._offsets(small, grid)
        rectified = self._resample(x, grid, offsets)
        for _ in range(self.enhance):
            offsets = offsets + self._offsets(rectified, grid)
            rectified = self._resample(x, grid, offsets)
        return rectified

    def _resample(self, x: torch.Tensor, grid: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        return F.grid_sample(x, torch.cat([grid[..., :1], grid[..., 1:] + offsets], 3),
                             align_corners=self.align_corners)


class ResidualBlock(nn.Module):

    def __init__(self, c_in: int, c_out: int, stride) -> None:
        super().__init__()
        down = (stride[0] if isinstance(stride, tuple) else stride) > 1
        bn = lambda c: nn.BatchNorm2d(c, momentum=0.01)  # noqa: E731
        self.downsample = nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride, 1), bn(c_out)) if down else None
        self.conv1 = nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride, 1) if down else nn.Conv2d(c_in, c_out, 1, stride, 0),
                                   bn(c_out))
        self.conv2 = nn.Sequential(nn.Conv2d(c_out, c_out, 3, 1, 1), bn(c_out))
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        res = x if self.downsample is None else self.downsample(x)
        return self.relu(res + self.conv2(self.conv1(x)))


class ASRNResNet(nn.Module):

    def __init__(self, c_in: int = 1, width: float = 1.0) -> None:
        super().__init__()
        c = [max(1, round(ch * width)) for ch in (32, 64, 128, 256, 512)]
        self.out_channels = c[4]
        self.block0 = nn.Sequential(nn.Conv2d(c_in, c[0], 3, 1, 1), nn.BatchNorm2d(c[0], momentum=0.01))
        cfg = [(c[0], c[0], 2, 3), (c[0], c[1], 2, 4), (c[1], c[2], (2, 1), 6), (c[2], c[3], (2, 1), 6),
               (c[3], c[4], (2, 1), 3)]
        for i, (cin, cout, stride, n) in enumerate(cfg, 1):
            self.add_module(f'block{i}', nn.Sequential(ResidualBlock(cin, cout, stride),
                                                       *[ResidualBlock(cout, cout, 1) for _ in range(n - 1)]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i in range(6):
            x = getattr(self, f'block{i}')(x)
        return x


class AttentionCell(nn.Module):

    def __init__(self, input_size: int, hidden_size: int, num_embeddings: int) -> None:
        super().__init__()
        self.i2h = nn.Linear(input_size, hidden_size, bias=False)
        self.h2h = nn.Linear(hidden_size, hidden_size)
        self.score = nn.Linear(hidden_size, 1, bias=False)
        self.rnn = nn.GRUCell(input_size + num_embeddings, hidden_size)

    def forward(self, hidden: torch.Tensor, feats: torch.Tensor,
                emb: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Next hidden state and the attention over the T steps of ``feats`` (T x B x C, sequence first)."""
        e = self.score(torch.tanh(self.i2h(feats) + self.h2h(hidden).unsqueeze(0))).squeeze(2)  # T x B
        alpha = e.softmax(0)
        context = (feats * alpha.unsqueeze(2)).sum(0)
        return self.rnn(torch.cat([context, emb], 1), hidden), alpha.t()


class Attention(nn.Module):

    def __init__(self, input_size: int, hidden_size: int, num_classes: int, num_embeddings: int = 256) -> None:
        super().__init__()
        self.attention_cell = AttentionCell(input_size, hidden_size, num_embeddings)
        self.generator = nn.Linear(hidden_size, num_classes)
        self.char_embeddings = nn.Parameter(torch.randn(num_classes + 1, num_embeddings))
        self.hidden_size = hidden_size

    def forward(self, feats: torch.Tensor, steps: int, tokens: Optional[torch.Tensor] = None,
                return_attention: bool = False):
        """Greedy decoding for ``steps`` steps, or teacher-forced with ``tokens`` (B x T classes; step t + 1 reads
        ``tokens[:, t]``). Class 0 of the embedding is the start; class c feeds embedding c + 1."""
        b = feats.shape[1]
        hidden = feats.new_zeros(b, self.hidden_size)
        prev = torch.zeros(b, dtype=torch.long, device=feats.device)
        logits, alphas = [], []
        for t in range(steps if tokens is None else tokens.shape[1]):
            hidden, alpha = self.attention_cell(hidden, feats, self.char_embeddings.index_select(0, prev))
            out = self.generator(hidden)
            logits.append(out)
            alphas.append(alpha)
            prev = (out.argmax(1) if tokens is None else tokens[:, t]) + 1
        logits = torch.stack(logits, 1)
        return (logits, torch.stack(alphas, 1)) if return_attention else logits


class ASRN(nn.Module):

    def __init__(self, in_channels: int = 1, num_classes: int = 37, hidden: int = 256, bidir: bool = True,
                 width: float = 1.0, num_embeddings: int = 256) -> None:
        super().__init__()
        self.cnn = ASRNResNet(in_channels, width)
        self.rnn = nn.Sequential(BidirectionalLSTM(self.cnn.out_channels, hidden, hidden),
                                 BidirectionalLSTM(hidden, hidden, hidden))
        if bidir:
            self.attentionL2R = Attention(hidden, hidden, num_classes, num_embeddings)
            self.attentionR2L = Attention(hidden, hidden, num_classes, num_embeddings)
        else:
            self.attention = Attention(hidden, hidden, num_classes, num_embeddings)

    def forward(self, x: torch.Tensor, steps: int, tokens: Optional[torch.Tensor] = None,
                return_attention: bool = False):
        conv = self.cnn(x)
        if conv.shape[2] != 1:
            raise ValueError(f'MORAN expects 32-pixel-high input, got features of height {conv.shape[2]}')
        feats = self.rnn(conv.squeeze(2).permute(2, 0, 1).contiguous())
        decoder = self.attentionL2R if hasattr(self, 'attentionL2R') else self.attention
        return decoder(feats, steps, tokens, return_attention)


@MODELS.register_module()
class MORANRecognizer(TextRecognizer):
    """MORAN behind the common interface (TextZoom's ``moran.pth``: ``MORAN(1, 37, 256, 32, 100, BidirDecoder=True)``).

    Args:
        max_len: Decoding steps (TextZoom uses 20).
        bidir: Build both decoders (``BidirDecoder=True`` checkpoints).
        align_corners: ``grid_sample``'s flag in MORN. False (default) is what the release computes on the torch it
            requires (>= 1.11), hence Table 1's numbers; True is the torch < 1.3 behaviour MORAN was trained with.
        width: Multiplier of ASRN's widths: its CNN (32 ... 512), LSTM hidden size and character embedding (256).
            1.0 is TextZoom's evaluator; MORN keeps its size.
        checkpoint: MORAN_v2 state dict (``module.`` accepted).
    """

    def __init__(self, max_len: int = 20, bidir: bool = True, align_corners: bool = False, width: float = 1.0,
                 checkpoint: Optional[str] = None, allow_random: bool = False) -> None:
        super().__init__(checkpoint, allow_random)
        self.preprocess = Preprocess(size=(32, 100), gray=True)
        self.charset = Charset(MORAN_ALPHABET, num_classes=37, offset=0, eos=36)
        self.max_len = max_len
        self.MORN = MORN(1, (32, 100), align_corners=align_corners)
        dim = max(2, round(256 * width))
        self.ASRN = ASRN(1, 37, dim, bidir, width, num_embeddings=dim)
        self.init_weights_from(checkpoint)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.ASRN(self.MORN(x), self.max_len)

    def encode_labels(self, labels: Sequence[str], device=None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Teacher-forcing tokens and targets of the lower-case alphanumerics of ``labels`` (``str_filt``; see
        :meth:`~glyphsr_mm.models.recognizers.base.TextRecognizer.eos_terminated_labels`)."""
        return self.eos_terminated_labels([str_filt(s, 'lower') for s in labels], self.max_len, device)

    def teacher_forced(self, images: torch.Tensor, labels: Sequence[str],
                       tokens: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Logits B x T x 37 and attention B x T x W' with ``labels`` as the decoder's input (training)."""
        self.check_weights()
        if tokens is None:
            tokens, _ = self.encode_labels(labels, images.device)
        return self.ASRN(self.MORN(self.preprocess(images)), 0, tokens, return_attention=True)
