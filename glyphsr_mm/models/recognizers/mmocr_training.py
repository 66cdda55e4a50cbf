"""What MMOCR's own training loop needs to train its recognizers on TextZoom-format LMDBs.

Registered into MMOCR's registries (``_scope_='mmocr'`` configs): import this module through ``custom_imports`` in
an MMOCR config (``configs/recognizers/evaluators/mmocr_*.py``). Importing it imports MMOCR.

- :class:`TextZoomRecogLMDBDataset`: MMOCR's ``RecogLMDBDataset`` reading a TextZoom LMDB's HR (or LR) images
  (keys ``image_hr-%09d``) with labels normalised to a vocabulary, so every character is in the model's dictionary.
- :class:`ScaledMiniVGG`: MMOCR's ``MiniVGG`` (CRNN's backbone) with every convolution's width multiplied by
  ``width``; same layers, same parameter names.
"""
from typing import List, Optional

import torch.nn as nn
from mmocr.datasets import RecogLMDBDataset
from mmocr.models.textrecog.backbones import MiniVGG
from mmocr.registry import DATASETS, MODELS

from glyphsr_mm.utils.text import str_filt


@DATASETS.register_module()
class TextZoomRecogLMDBDataset(RecogLMDBDataset):
    """A TextZoom LMDB (``label-%09d``, ``image_hr-%09d``, ``image_lr-%09d``) as an MMOCR recognition dataset.

    Args:
        image: ``'hr'`` or ``'lr'``: which image of each pair is read.
        voc_type: Labels pass through ``str_filt(label, voc_type)`` (``'lower'``: lower-cased alphanumerics, for
            dictionaries without upper case or symbols); None keeps them.
        **kwargs: ``RecogLMDBDataset``'s arguments (``ann_file`` is the LMDB folder).
    """

    def __init__(self, image: str = 'hr', voc_type: Optional[str] = None, **kwargs) -> None:
        if image not in ('hr', 'lr'):
            raise ValueError(f"image must be 'hr' or 'lr', got {image!r}")
        self.image, self.voc_type = image, voc_type
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        data_list = super().load_data_list()
        kept = []
        for info in data_list:
            info['img_key'] = info['img_key'].replace('image-', f'image_{self.image}-', 1)
            if self.voc_type is not None:
                text = str_filt(info['instances'][0]['text'], self.voc_type)
                if not text:  # nothing of the label is in the vocabulary
                    continue
                info['instances'][0]['text'] = text
            kept.append(info)
        return kept


@MODELS.register_module()
class ScaledMiniVGG(MiniVGG):
    """``MiniVGG`` with its convolution widths (64 ... 512) multiplied by ``width``.

    Args:
        width: Width multiplier (0.5: 32 ... 256 channels; the decoder's ``in_channels`` must match the last).
        **kwargs: ``MiniVGG``'s arguments.
    """

    def __init__(self, width: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        scale = lambda c: max(1, round(c * width))  # noqa: E731
        for name, m in list(self.cnn.named_children()):
            if isinstance(m, nn.Conv2d):
                cin = m.in_channels if name == 'conv0' else scale(m.in_channels)
                setattr(self.cnn, name, nn.Conv2d(cin, scale(m.out_channels), m.kernel_size, m.stride, m.padding))
            elif isinstance(m, nn.BatchNorm2d):
                setattr(self.cnn, name, nn.BatchNorm2d(scale(m.num_features)))
        self.channels = [scale(c) for c in self.channels]
