"""TBSRN's transformer recognizer (Scene Text Telescope, CVPR 2021): the text focus loss and GEM's 2D attention.

Architecture (docs/design.md §3): a ResNet on the gray 32x128 image gives d_model x 8 x 32 features; one decoder layer
(masked self-attention, cross-attention with ``num_heads`` heads, feed-forward 2 x d_model, each followed by a
residual and a LayerNorm that divides by the unbiased std + eps); the decoder input is a character embedding
(d_model/2, scaled by sqrt) concatenated with a sinusoidal position code (d_model/2). 37 classes
``-0123456789abcdefghijklmnopqrstuvwxyz`` where ``-`` (class 0) is the end token and the start/padding input.

Parameter names follow TBSRN's ``pretrain_transformer.pth`` (``module.``-prefixed or not), so that file loads as
is. ``width`` scales every channel count (1.0 = the released size: ResNet 64..1024, d_model 1024, 16 heads);
reduced widths are trained with ``tools/train_recognizer.py`` where no weights can be had.
"""
import math
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn

from glyphsr_mm.registry import MODELS
from glyphsr_mm.utils.text import str_filt
from .base import Charset, Preprocess, TextRecognizer

TBSRN_ALPHABET = '-0123456789abcdefghijklmnopqrstuvwxyz'


class LayerNorm(nn.Module):
    """TBSRN's LayerNorm: ``a * (x - mean) / (std + eps) + b`` with the unbiased std (differs from nn.LayerNorm)."""

    def __init__(self, features: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.a_2 = nn.Parameter(torch.ones(features))
        self.b_2 = nn.Parameter(torch.zeros(features))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.a_2 * (x - x.mean(-1, keepdim=True)) / (x.std(-1, keepdim=True) + self.eps) + self.b_2


class MultiHeadedAttention(nn.Module):
    """Multi-head attention with TBSRN's parameter names (``linears.0..3``); returns the attention maps."""

    def __init__(self, num_heads: int, d_model: int, dropout: float = 0.1) -> None:
        super().__init__()
        if d_model % num_heads:
            raise ValueError(f'd_model {d_model} is not divisible by {num_heads} heads')
        self.d_k, self.h = d_model // num_heads, num_heads
        self.linears = nn.ModuleList([nn.Linear(d_model, d_model) for _ in range(4)])
        self.dropout = nn.Dropout(dropout)
        # Present in the released checkpoint but unused by its forward; kept so that it loads strictly.
        self.compress_attention_linear = nn.Linear(num_heads, 1)

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                mask: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        b = query.shape[0]
        q, k, v = (lin(x).view(b, -1, self.h, self.d_k).transpose(1, 2)
                   for lin, x in zip(self.linears, (query, key, value)))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_k)
        if mask is not None:
            scores = scores.masked_fill(~mask, float('-inf'))
        attn = scores.softmax(-1)
        out = (self.dropout(attn) @ v).transpose(1, 2).reshape(b, -1, self.h * self.d_k)
        return self.linears[3](out), attn


class BasicBlock(nn.Module):

    def __init__(self, inplanes: int, planes: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, 1, 1)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = (nn.Sequential(nn.Conv2d(inplanes, planes, 3, 1, 1), nn.BatchNorm2d(planes))
                           if inplanes != planes else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


def _conv_bn_relu(cin: int, cout: int) -> Tuple[nn.Module, nn.Module, nn.Module]:
    return nn.Conv2d(cin, cout, 3, 1, 1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)


class TBSRNResNet(nn.Module):
    """The encoder CNN: 1 x 32 x 128 -> c[6] x 8 x 32 (two 2x2 max-pools; channel list ``c`` of 7)."""

    def __init__(self, c: Sequence[int], layers: Sequence[int] = (1, 2, 5, 3)) -> None:
        super().__init__()
        self.conv1, self.bn1, self.relu1 = _conv_bn_relu(1, c[0])
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2, self.bn2, self.relu2 = _conv_bn_relu(c[0], c[1])
        self.layer1_pool = nn.MaxPool2d(2, 2)
        self.layer1 = self._make_layer(c[1], c[2], layers[0])
        self.layer1_conv, self.layer1_bn, self.layer1_relu = _conv_bn_relu(c[2], c[2])
        self.layer2 = self._make_layer(c[2], c[3], layers[1])
        self.layer2_conv, self.layer2_bn, self.layer2_relu = _conv_bn_relu(c[3], c[3])
        self.layer3 = self._make_layer(c[3], c[4], layers[2])
        self.layer3_conv, self.layer3_bn, self.layer3_relu = _conv_bn_relu(c[4], c[4])
        self.layer4 = self._make_layer(c[4], c[5], layers[3])
        self.layer4_conv2, self.layer4_conv2_bn, self.layer4_conv2_relu = _conv_bn_relu(c[5], c[6])

    @staticmethod
    def _make_layer(inplanes: int, planes: int, blocks: int) -> nn.Sequential:
        return nn.Sequential(BasicBlock(inplanes, planes), *[BasicBlock(planes, planes) for _ in range(blocks - 1)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.relu1(self.bn1(self.conv1(x))))
        x = self.layer1_pool(self.relu2(self.bn2(self.conv2(x))))
        x = self.layer1_relu(self.layer1_bn(self.layer1_conv(self.layer1(x))))
        x = self.layer2_relu(self.layer2_bn(self.layer2_conv(self.layer2(x))))
        x = self.layer3_relu(self.layer3_bn(self.layer3_conv(self.layer3(x))))
        return self.layer4_conv2_relu(self.layer4_conv2_bn(self.layer4_conv2(self.layer4(x))))


class Encoder(nn.Module):

    def __init__(self, c: Sequence[int], layers: Sequence[int]) -> None:
        super().__init__()
        self.cnn = TBSRNResNet(c, layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.cnn(x)


class PositionwiseFeedForward(nn.Module):

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.w_1 = nn.Linear(d_model, d_ff)
        self.w_2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w_2(self.dropout(self.w_1(x).relu()))


class Decoder(nn.Module):

    def __init__(self, d_model: int, num_heads: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.mask_multihead = MultiHeadedAttention(num_heads, d_model, dropout)
        self.mul_layernorm1 = LayerNorm(d_model)
        self.multihead = MultiHeadedAttention(num_heads, d_model, dropout)
        self.mul_layernorm2 = LayerNorm(d_model)
        self.pff = PositionwiseFeedForward(d_model, 2 * d_model)
        self.mul_layernorm3 = LayerNorm(d_model)

    def forward(self, text: torch.Tensor, features: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        t = text.shape[1]
        causal = torch.ones(t, t, dtype=torch.bool, device=text.device).tril().view(1, 1, t, t)
        x = self.mul_layernorm1(text + self.mask_multihead(text, text, text, mask=causal)[0])
        mem = features.flatten(2).transpose(1, 2)  # B x (h*w) x C
        aligned, attn = self.multihead(x, mem, mem)
        x = self.mul_layernorm2(x + aligned)
        return self.mul_layernorm3(x + self.pff(x)), attn


class Embeddings(nn.Module):

    def __init__(self, d_model: int, vocab: int) -> None:
        super().__init__()
        self.lut = nn.Embedding(vocab, d_model)
        self.d_model = d_model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lut(x) * math.sqrt(self.d_model)


def sinusoid_table(n: int, dims: int) -> torch.Tensor:
    """n x dims transformer position code: sin on even, cos on odd channels."""
    pos = torch.arange(n).float().unsqueeze(1)
    div = torch.exp(torch.arange(0, dims, 2).float() * -(math.log(10000.0) / dims))
    pe = torch.zeros(n, dims)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(pos * div), torch.cos(pos * div)[:, :dims // 2]
    return pe


class PositionalEncoding(nn.Module):
    """Sinusoidal code; its ``pe`` buffer is saved in TBSRN's checkpoint, so it is a persistent buffer here too."""

    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.register_buffer('pe', sinusoid_table(max_len, d_model).unsqueeze(0))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(x + self.pe[:, :x.shape[1]])


def sinusoid_2d(channels: int, h: int, w: int) -> torch.Tensor:
    """channels x h x w sinusoidal code: the first half encodes the row, the second half the column."""
    half = channels // 2
    rows = sinusoid_table(h, half).t().unsqueeze(2).expand(half, h, w)
    cols = sinusoid_table(w, channels - half).t().unsqueeze(1).expand(channels - half, h, w)
    return torch.cat([rows, cols], 0)


class Generator(nn.Module):

    def __init__(self, d_model: int, vocab: int) -> None:
        super().__init__()
        self.proj = nn.Linear(d_model, vocab)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x)


@MODELS.register_module()
class TBSRNTransformerRecognizer(TextRecognizer):
    """TBSRN's transformer recognizer behind the common interface.

    Args:
        width: Channel multiplier (1.0 = released size, d_model 1024).
        num_heads: Attention heads (16 released).
        layers: BasicBlocks per ResNet stage ((1, 2, 5, 3) released).
        max_len: Decoding steps of :meth:`probs`/:meth:`predict` (characters + end token).
        dropout: Dropout inside the decoder (the reference uses 0.1; eval mode disables it).
        feature_pe: Add a fixed 2D sinusoidal position code to the CNN features before cross-attention. TBSRN has
            none (its attention finds positions from the CNN's padding alone, which takes its full width and lots of
            data to learn); the reduced-width configs use it to learn alignment within a CPU budget. It has no
            parameters, so checkpoints are the same layout either way, but the weights are not interchangeable.
        checkpoint: ``pretrain_transformer.pth`` (TBSRN) or a checkpoint of ``tools/train_recognizer.py``.
        allow_random: See :class:`TextRecognizer`.
    """

    def __init__(self, width: float = 1.0, num_heads: int = 16, layers: Sequence[int] = (1, 2, 5, 3),
                 max_len: int = 26, dropout: float = 0.1, feature_pe: bool = False,
                 checkpoint: Optional[str] = None, allow_random: bool = False) -> None:
        super().__init__(checkpoint, allow_random)
        c = [max(8, int(round(n * width))) for n in (64, 128, 256, 256, 512, 512, 1024)]
        d_model = c[6]
        self.d_model, self.max_len, self.feature_size = d_model, max_len, (8, 32)
        vocab = len(TBSRN_ALPHABET)
        self.preprocess = Preprocess(size=(32, 128), gray=True)
        self.charset = Charset(TBSRN_ALPHABET[1:], num_classes=vocab, offset=1, eos=0)
        self.embedding_word = Embeddings(d_model // 2, vocab)
        self.pe = PositionalEncoding(d_model // 2, dropout)
        self.encoder = Encoder(c, layers)
        self.decoder = Decoder(d_model, num_heads, dropout)
        self.generator_word = Generator(d_model, vocab)
        if feature_pe:
            self.register_buffer('feature_pe', sinusoid_2d(d_model, *self.feature_size), persistent=False)
        else:
            self.feature_pe = None
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        self.init_weights_from(checkpoint)

    # -- labels ----------------------------------------------------------------------------------------------------
    def encode_labels(self, labels: Sequence[str], device=None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Decoder inputs and targets for ``labels`` (TBSRN: ``str_filt(label, 'lower') + '-'``, shifted right).

        Returns:
            inputs (B x T) and targets (B x T) as class indices; padding in targets is -100 (ignored by CE).
        """
        seqs = [self.charset.encode(str_filt(s, 'lower'))[:self.max_len - 1] + [0] for s in labels]
        t = max(len(s) for s in seqs)
        inputs = torch.zeros(len(seqs), t, dtype=torch.long)
        targets = torch.full((len(seqs), t), -100, dtype=torch.long)
        for i, s in enumerate(seqs):
            targets[i, :len(s)] = torch.tensor(s)
            inputs[i, 1:len(s)] = torch.tensor(s[:-1])
        return inputs.to(device), targets.to(device)

    # -- network ---------------------------------------------------------------------------------------------------
    def decode_step(self, features: torch.Tensor, tokens: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Run the decoder on token inputs B x T: logits B x T x 37 and cross-attention B x heads x T x (8*32)."""
        if self.feature_pe is not None:
            features = features + self.feature_pe
        emb = self.embedding_word(tokens)
        pos = self.pe(torch.zeros_like(emb))
        x, attn = self.decoder(torch.cat([emb, pos], dim=2), features)
        return self.generator_word(x), attn

    def forward(self, x: torch.Tensor, tokens: Optional[torch.Tensor] = None,
                return_attention: bool = False):
        """Preprocessed input -> logits; teacher-forced with ``tokens``, else greedy for ``max_len`` steps."""
        features = self.encoder(x)
        if tokens is not None:
            logits, attn = self.decode_step(features, tokens)
            return (logits, attn) if return_attention else logits
        tokens = torch.zeros(x.shape[0], 1, dtype=torch.long, device=x.device)
        for _ in range(self.max_len):
            logits, attn = self.decode_step(features, tokens)
            tokens = torch.cat([tokens, logits[:, -1:].argmax(-1)], dim=1)
        return (logits, attn) if return_attention else logits

    def teacher_forced(self, images: torch.Tensor, labels: Sequence[str],
                       tokens: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Logits B x T x 37 and attention B x heads x T x 256 with ``labels`` as decoder input (text focus loss).
        ``tokens``: ``encode_labels(labels)[0]`` when the caller has it already."""
        self.check_weights()
        if tokens is None:
            tokens, _ = self.encode_labels(labels, images.device)
        return self(self.preprocess(images), tokens, return_attention=True)

    def attention(self, images: torch.Tensor, labels: Optional[Sequence[str]] = None) -> torch.Tensor:
        """2D attention per decoding step, head-averaged: B x T x 8 x 32 (greedy decoding without labels)."""
        self.check_weights()
        x = self.preprocess(images)
        if labels is not None:
            tokens, _ = self.encode_labels(labels, images.device)
            _, attn = self(x, tokens, return_attention=True)
        else:
            _, attn = self(x, return_attention=True)
        b, _, t, _ = attn.shape
        return attn.mean(1).view(b, t, *self.feature_size)
