"""ASTER (Shi et al., TPAMI 2018) in aster.pytorch's layout: TextZoom's ASTER evaluator, natively.

TPS-STN rectification (localisation on a 32x64 copy, output 32x100), a 45-layer ResNet (``encoder.layer0..5``) with a
two-layer BiLSTM (``encoder.rnn``), and a GRU attention decoder (``decoder.decoder.attention_unit``,
``tgt_embedding``, ``gru``, ``fc``). Classes: 94 printable characters, then EOS, PADDING, UNKNOWN (97); the
decoder's start token is class 97 of the embedding. TextZoom feeds RGB images as ``x * 2 - 1`` at their own size
(SR/HR 32x128, LR 16x64; the STN resamples them to 32x100).

As the GlyphSR release evaluates it (its ``model/recognizer``, aster.pytorch's code): ``predict`` decodes with beam
search (width 5, up to 100 steps, scores are summed log-probabilities without length normalisation) and the TPS
grid is sampled with ``align_corners=False`` (the release passes no flag, so torch >= 1.3 uses False). Greedy
decoding (``decode='greedy'``) and ``align_corners=True`` (the torch < 1.3 behaviour ASTER was trained with) are
options. ``probs`` (the text prior's input) is always the greedy decoder's per-step distribution.
"""
import string
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.models.layers.tps_stn import STNHead, TPSSpatialTransformer
from glyphsr_mm.registry import MODELS
from glyphsr_mm.utils.text import str_filt
from .base import Charset, Preprocess, TextRecognizer

ASTER_CHARS = string.digits + string.ascii_letters + string.punctuation  # 94, then EOS, PADDING, UNKNOWN


class AsterBlock(nn.Module):

    def __init__(self, inplanes: int, planes: int, stride=(1, 1)) -> None:
        super().__init__()
        stride = tuple(stride)
        self.conv1 = nn.Conv2d(inplanes, planes, 1, stride, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = (nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
                           if stride != (1, 1) or inplanes != planes else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNetASTER(nn.Module):
    """32 x W -> W/4 steps of 512 features, then a 2-layer BiLSTM (256 per direction); ``width`` scales both."""

    def __init__(self, width: float = 1.0) -> None:
        super().__init__()
        c = [max(1, round(ch * width)) for ch in (32, 64, 128, 256, 512)]
        self.layer0 = nn.Sequential(nn.Conv2d(3, c[0], 3, 1, 1, bias=False), nn.BatchNorm2d(c[0]),
                                    nn.ReLU(inplace=True))
        cfg = [(c[0], 3, (2, 2)), (c[1], 4, (2, 2)), (c[2], 6, (2, 1)), (c[3], 6, (2, 1)), (c[4], 3, (2, 1))]
        inplanes = c[0]
        for i, (planes, blocks, stride) in enumerate(cfg, 1):
            layers = [AsterBlock(inplanes, planes, stride)] + [AsterBlock(planes, planes) for _ in range(blocks - 1)]
            self.add_module(f'layer{i}', nn.Sequential(*layers))
            inplanes = planes
        self.out_channels = 2 * (c[4] // 2)
        self.rnn = nn.LSTM(c[4], c[4] // 2, bidirectional=True, num_layers=2, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layer0(x)
        for i in range(1, 6):
            x = getattr(self, f'layer{i}')(x)
        return self.rnn(x.squeeze(2).transpose(1, 2))[0]  # B x T x 512


class AttentionUnit(nn.Module):

    def __init__(self, s_dim: int, x_dim: int, att_dim: int) -> None:
        super().__init__()
        self.sEmbed = nn.Linear(s_dim, att_dim)
        self.xEmbed = nn.Linear(x_dim, att_dim)
        self.wEmbed = nn.Linear(att_dim, 1)

    def forward(self, x: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        scores = self.wEmbed(torch.tanh(self.xEmbed(x) + self.sEmbed(state.squeeze(0)).unsqueeze(1)))
        return scores.squeeze(2).softmax(1)  # B x T


class DecoderUnit(nn.Module):

    def __init__(self, s_dim: int, x_dim: int, y_dim: int, att_dim: int) -> None:
        super().__init__()
        self.attention_unit = AttentionUnit(s_dim, x_dim, att_dim)
        self.tgt_embedding = nn.Embedding(y_dim + 1, att_dim)  # the last one is the start token
        self.gru = nn.GRU(x_dim + att_dim, s_dim, batch_first=True)
        self.fc = nn.Linear(s_dim, y_dim)

    def forward(self, x, state, y_prev):
        alpha = self.attention_unit(x, state)
        context = torch.bmm(alpha.unsqueeze(1), x).squeeze(1)
        out, state = self.gru(torch.cat([self.tgt_embedding(y_prev), context], 1).unsqueeze(1), state)
        return self.fc(out.squeeze(1)), state, alpha


class AttentionRecognitionHead(nn.Module):

    def __init__(self, num_classes: int, in_planes: int = 512, s_dim: int = 512, att_dim: int = 512) -> None:
        super().__init__()
        self.num_classes, self.s_dim = num_classes, s_dim
        self.decoder = DecoderUnit(s_dim, in_planes, num_classes, att_dim)

    def forward(self, x: torch.Tensor, steps: int, tokens: Optional[torch.Tensor] = None,
                return_attention: bool = False):
        """Greedy decoding for ``steps`` steps, or teacher-forced with ``tokens`` (B x T class indices)."""
        state = x.new_zeros(1, x.shape[0], self.s_dim)
        y = torch.full((x.shape[0], ), self.num_classes, dtype=torch.long, device=x.device)
        logits, alphas = [], []
        for t in range(steps if tokens is None else tokens.shape[1]):
            out, state, alpha = self.decoder(x, state, y)
            logits.append(out)
            alphas.append(alpha)
            y = out.argmax(1) if tokens is None else tokens[:, t]
        logits = torch.stack(logits, 1)
        return (logits, torch.stack(alphas, 1)) if return_attention else logits

    def beam_search(self, x: torch.Tensor, width: int, steps: int, eos: int) -> torch.Tensor:
        """B x steps class indices of the best hypothesis (aster.pytorch's ``beam_search``, IBM seq2seq's top-k).

        Every step keeps the ``width`` best partial sequences by summed log-probability; a sequence that emits
        ``eos`` stops growing but competes with its score at that step when the beams are traced back.
        """
        b, k, c = x.shape[0], width, self.num_classes
        feats = x.repeat_interleave(k, 0)  # sample-major: the k beams of a sample are adjacent
        state = x.new_zeros(1, b * k, self.s_dim)
        base = torch.arange(b, device=x.device).view(b, 1) * k
        scores = x.new_full((b * k, 1), float('-inf'))
        scores[base.view(-1)] = 0.0  # one live beam per sample at the start
        y = torch.full((b * k, ), c, dtype=torch.long, device=x.device)
        kept_scores, parents, symbols = [], [], []
        for _ in range(steps):
            out, state, _ = self.decoder(feats, state, y)
            scores = scores.repeat(1, c) + out.log_softmax(1)
            top, cand = scores.view(b, -1).topk(k, dim=1)
            y = (cand % c).view(-1)
            scores = top.view(-1, 1)
            parent = (cand // c + base).view(-1)
            state = state.index_select(1, parent)
            kept_scores.append(scores.clone())
            scores = scores.masked_fill(y.view(-1, 1).eq(eos), float('-inf'))
            parents.append(parent)
            symbols.append(y)
        # Trace back from the last step; sequences that ended earlier replace the weakest slots.
        final, order = kept_scores[-1].view(b, k).topk(k)
        final = final.clone()
        ptr = (order + base).view(-1)
        found = [0] * b
        path = []
        for t in range(steps - 1, -1, -1):
            current = symbols[t].index_select(0, ptr)
            ptr = parents[t].index_select(0, ptr)
            for idx in reversed(symbols[t].eq(eos).nonzero().view(-1).tolist()):
                bi = idx // k
                slot = k - (found[bi] % k) - 1
                found[bi] += 1
                ptr[bi * k + slot] = parents[t][idx]
                current[bi * k + slot] = symbols[t][idx]
                final[bi, slot] = kept_scores[t][idx, 0]
            path.append(current)
        _, best = final.topk(k)
        best = (best + base).view(-1)
        return torch.stack([p.index_select(0, best).view(b, k) for p in reversed(path)], -1)[:, 0]


@MODELS.register_module()
class ASTERRecognizer(TextRecognizer):
    """ASTER behind the common interface (aster.pytorch ``demo.pth.tar`` / TextZoom's ``aster.pth.tar`` layout).

    Args:
        max_len: Greedy decoding steps (T of ``probs``, and of ``predict`` with ``decode='greedy'``).
        stn: Rectify with the TPS-STN (TextZoom evaluates with it on).
        decode: ``'beam'`` (default: the release's evaluation, Table 1) or ``'greedy'`` for ``predict``.
        beam_width: Beams kept per step (5).
        beam_steps: Decoding steps of the beam search (the release's ``max_len_labels``, 100).
        align_corners: ``grid_sample``'s flag in the TPS rectifier (False: the release on torch >= 1.3).
        width: Multiplier of the encoder's and decoder's widths (1.0: TextZoom's evaluator, 21M parameters);
            the TPS-STN keeps its size.
        checkpoint: aster.pytorch checkpoint (``state_dict`` inside, ``module.`` accepted).
    """

    DECODES = ('beam', 'greedy')

    def __init__(self, max_len: int = 26, stn: bool = True, decode: str = 'beam', beam_width: int = 5,
                 beam_steps: int = 100, align_corners: bool = False, width: float = 1.0,
                 checkpoint: Optional[str] = None, allow_random: bool = False) -> None:
        super().__init__(checkpoint, allow_random)
        # With the STN, images go in at their own size, as the release feeds them (the STN reads a 32x64 copy and the
        # TPS samples 32x100 from the original); without it the encoder needs 32-pixel-high input.
        self.preprocess = Preprocess(size=None if stn else (32, 128), mean=0.5, std=0.5)
        num_classes = len(ASTER_CHARS) + 3
        self.charset = Charset(ASTER_CHARS, num_classes=num_classes, offset=0, eos=len(ASTER_CHARS))
        if decode not in self.DECODES:
            raise ValueError(f'decode must be one of {self.DECODES}, got {decode!r}')
        self.max_len, self.use_stn = max_len, stn
        self.decode, self.beam_width, self.beam_steps = decode, beam_width, beam_steps
        self.encoder = ResNetASTER(width)
        dim = self.encoder.out_channels
        self.decoder = AttentionRecognitionHead(num_classes, in_planes=dim, s_dim=dim, att_dim=dim)
        if stn:
            self.tps = TPSSpatialTransformer((32, 100), 20, (0.05, 0.05), align_corners=align_corners)
            self.stn_head = STNHead(3, 20, input_size=(32, 64))
        self.init_weights_from(checkpoint)

    def rectify(self, x: torch.Tensor) -> torch.Tensor:
        if self.use_stn:
            small = F.interpolate(x, (32, 64), mode='bilinear', align_corners=True)
            x, _ = self.tps(x, self.stn_head(small)[1])
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(self.rectify(x)), self.max_len)

    @torch.no_grad()
    def predict(self, images: torch.Tensor) -> List[str]:
        """Images in [0, 1] -> strings (beam search by default, see ``decode``)."""
        if self.decode == 'greedy':
            return super().predict(images)
        self.check_weights()
        feats = self.encoder(self.rectify(self.preprocess(images)))
        return self.charset.decode(self.decoder.beam_search(feats, self.beam_width, self.beam_steps,
                                                            self.charset.eos))

    def encode_labels(self, labels: Sequence[str], device=None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Teacher-forcing tokens and targets of ``labels`` with case and punctuation kept
        (:meth:`~glyphsr_mm.models.recognizers.base.TextRecognizer.eos_terminated_labels`)."""
        return self.eos_terminated_labels(labels, self.max_len, device)

    def teacher_forced(self, images: torch.Tensor, labels: Sequence[str],
                       tokens: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Logits B x T x 97 and attention B x T x W' with ``labels`` as the decoder's input (training)."""
        self.check_weights()
        if tokens is None:
            tokens, _ = self.encode_labels(labels, images.device)
        feats = self.encoder(self.rectify(self.preprocess(images)))
        return self.decoder(feats, 0, tokens, return_attention=True)

    def attention(self, images: torch.Tensor, labels: Optional[Sequence[str]] = None) -> torch.Tensor:
        """The decoder's 1D attention over the encoder's width, B x T x W' (GEM's glyph attention).

        With ``labels`` the decoder is teacher-forced with their lower-case alphanumerics (``str_filt``), so step t
        is the t-th such character, as GEM counts them. With the STN on, positions refer to the rectified image:
        build it with ``stn=False`` for GEM.
        """
        self.check_weights()
        feats = self.encoder(self.rectify(self.preprocess(images)))
        if labels is None:
            return self.decoder(feats, self.max_len, return_attention=True)[1]
        seqs = [self.charset.encode(str_filt(s, 'lower'))[:self.max_len - 1] for s in labels]
        tokens = torch.full((len(seqs), max(map(len, seqs)) + 1), self.charset.eos, dtype=torch.long)
        for i, seq in enumerate(seqs):
            tokens[i, :len(seq)] = torch.tensor(seq, dtype=torch.long)
        return self.decoder(feats, 0, tokens.to(feats.device), return_attention=True)[1]
