"""TextZoom's CRNN evaluator (meijieru/crnn.pytorch layout, 37 classes, CTC).

TextZoom's evaluation feeds it bicubic 32x100 gray images in [0, 1] (no normalisation), which is what
``preprocess`` does. Parameter names follow ``crnn.pth``: ``cnn.conv0..6``, ``cnn.batchnorm2/4/6``,
``rnn.0/1.rnn`` (bidirectional LSTM) and ``rnn.0/1.embedding``.
"""
from typing import Optional

import torch
import torch.nn as nn

from glyphsr_mm.registry import MODELS
from .base import Charset, Preprocess, TextRecognizer

CRNN_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'


class BidirectionalLSTM(nn.Module):
    """Sequence-first bidirectional LSTM followed by a linear layer (``rnn``, ``embedding``)."""

    def __init__(self, in_features: int, hidden: int, out_features: int) -> None:
        super().__init__()
        self.rnn = nn.LSTM(in_features, hidden, bidirectional=True)
        self.embedding = nn.Linear(hidden * 2, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rec, _ = self.rnn(x)
        return self.embedding(rec)


@MODELS.register_module()
class TextZoomCRNN(TextRecognizer):
    """CRNN(imgH=32, nc=1, nclass=37, nh=256) as TextZoom evaluates it.

    Args:
        hidden: LSTM hidden size (256).
        width: Multiplier of the convolution widths (64 ... 512). 1.0 is TextZoom's evaluator; narrower ones
            (0.5: 2.1M parameters) are what ``configs/recognizers/`` train on 2 CPU cores.
        checkpoint: ``crnn.pth`` of meijieru/crnn.pytorch (as TextZoom/TSRN/TPGSR ship it).
        allow_random: See :class:`TextRecognizer`.
    """

    def __init__(self, hidden: int = 256, width: float = 1.0, checkpoint: Optional[str] = None,
                 allow_random: bool = False) -> None:
        super().__init__(checkpoint, allow_random)
        self.preprocess = Preprocess(size=(32, 100), gray=True)
        self.charset = Charset(CRNN_ALPHABET, num_classes=37, offset=1, ctc=True, blank=0)
        channels = [max(1, round(c * width)) for c in (64, 128, 256, 256, 512, 512, 512)]
        cnn = nn.Sequential()
        cin = 1
        for i, cout in enumerate(channels):
            k, p = (2, 0) if i == 6 else (3, 1)
            cnn.add_module(f'conv{i}', nn.Conv2d(cin, cout, k, 1, p))
            if i in (2, 4, 6):
                cnn.add_module(f'batchnorm{i}', nn.BatchNorm2d(cout))
            cnn.add_module(f'relu{i}', nn.ReLU(True))
            if i in (0, 1):
                cnn.add_module(f'pooling{i}', nn.MaxPool2d(2, 2))
            elif i in (3, 5):
                cnn.add_module(f'pooling{i // 2 + 1}', nn.MaxPool2d((2, 2), (2, 1), (0, 1)))
            cin = cout
        self.cnn = cnn
        self.rnn = nn.Sequential(BidirectionalLSTM(channels[-1], hidden, hidden), BidirectionalLSTM(hidden, hidden, 37))
        self.init_weights_from(checkpoint)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        conv = self.cnn(x)
        if conv.shape[2] != 1:
            raise ValueError(f'CRNN expects 32-pixel-high input, got features of height {conv.shape[2]}')
        seq = conv.squeeze(2).permute(2, 0, 1)  # T x B x C
        return self.rnn(seq).transpose(0, 1)  # B x T x 37
