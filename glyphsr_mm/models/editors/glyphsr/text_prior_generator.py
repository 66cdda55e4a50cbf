"""Text-prior generator: a recognizer reads the (bicubic-upsampled) LR image; its class probabilities are the prior."""
from typing import Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.registry import MODELS
from glyphsr_mm.utils.row_memo import RowMemo


@MODELS.register_module()
class TextPriorGenerator(nn.Module):
    """Wrap a recognizer of :mod:`glyphsr_mm.models.recognizers` as TPGSR's text-prior generator.

    Args:
        recognizer: Config or module with ``probs(images) -> B x D x 1 x T``.
        input_size: The LR image is resized (bicubic) to this size before recognition (32x128, as TPGSR).
        finetune: Train the recognizer jointly (TPGSR; add :class:`TextPriorLoss`). Otherwise it is frozen, kept in
            eval mode and run without gradients.
        drop_prob: Fraction of each training batch whose prior is replaced by zeros (TPGSR drops a quarter).
        memo_mib: Memory (MiB) for remembering the frozen recognizer's prior of inputs it has read before
            (:class:`~glyphsr_mm.utils.row_memo.RowMemo`, keyed by the input's bytes): training samples that no
            augmentation changed are not read again in later epochs. 0 (default) reads every input; a fine-tuned
            recognizer cannot use it. The prior of one sample takes D x T x 4 bytes (EasyOCR: 24 KiB).
    """

    def __init__(self, recognizer: Union[dict, nn.Module], input_size: Tuple[int, int] = (32, 128),
                 finetune: bool = False, drop_prob: float = 0.0, memo_mib: float = 0) -> None:
        super().__init__()
        self.recognizer = MODELS.build(recognizer) if isinstance(recognizer, dict) else recognizer
        if not 0.0 <= drop_prob <= 1.0:
            raise ValueError(f'drop_prob must be in [0, 1], got {drop_prob}')
        self.input_size, self.finetune, self.drop_prob = tuple(input_size), finetune, drop_prob
        if finetune and memo_mib:
            raise ValueError('memo_mib needs a frozen recognizer (finetune=False): a fine-tuned one changes what it '
                             'reads from the same input')
        self.memo = RowMemo(int(memo_mib * 2 ** 20))
        if not finetune:
            self.recognizer.requires_grad_(False)
            self.recognizer.eval()

    @property
    def num_classes(self) -> int:
        return self.recognizer.charset.num_classes

    def train(self, mode: bool = True):
        super().train(mode)
        if not self.finetune:
            self.recognizer.eval()  # frozen: BN statistics and dropout stay in inference mode
        return self

    def read(self, images: torch.Tensor) -> torch.Tensor:
        """The recognizer's probabilities B x D x 1 x T of images in [0, 1], resized to ``input_size``."""
        x = images[:, :3]
        if tuple(x.shape[-2:]) != self.input_size:
            x = F.interpolate(x, size=self.input_size, mode='bicubic', align_corners=False).clamp(0, 1)
        return self.recognizer.probs(x)

    def forward(self, images: torch.Tensor, drop: Optional[bool] = None) -> torch.Tensor:
        """Images in [0, 1] (3 or 4 channels, any size) -> prior B x D x 1 x T."""
        if self.finetune:
            prior = self.read(images)
        else:
            with torch.no_grad():
                prior, = self.memo(lambda rows, _: (self.read(rows), ), images[:, :3])
        drop = self.training if drop is None else drop
        if drop and self.drop_prob > 0:
            keep = (torch.rand(prior.shape[0], 1, 1, 1, device=prior.device) >= self.drop_prob).to(prior.dtype)
            prior = prior * keep
        return prior
