"""Text-prior generator: a recognizer reads the (bicubic-upsampled) LR image; its class probabilities are the prior."""
from typing import Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from glyphsr_mm.registry import MODELS


@MODELS.register_module()
class TextPriorGenerator(nn.Module):
    """Wrap a recognizer of :mod:`glyphsr_mm.models.recognizers` as TPGSR's text-prior generator.

    Args:
        recognizer: Config or module with ``probs(images) -> B x D x 1 x T``.
        input_size: The LR image is resized (bicubic) to this size before recognition (32x128, as TPGSR).
        finetune: Train the recognizer jointly (TPGSR; add :class:`TextPriorLoss`). Otherwise it is frozen, kept in
            eval mode and run without gradients.
        drop_prob: Fraction of each training batch whose prior is replaced by zeros (TPGSR drops a quarter).
    """

    def __init__(self, recognizer: Union[dict, nn.Module], input_size: Tuple[int, int] = (32, 128),
                 finetune: bool = False, drop_prob: float = 0.0) -> None:
        super().__init__()
        self.recognizer = MODELS.build(recognizer) if isinstance(recognizer, dict) else recognizer
        if not 0.0 <= drop_prob <= 1.0:
            raise ValueError(f'drop_prob must be in [0, 1], got {drop_prob}')
        self.input_size, self.finetune, self.drop_prob = tuple(input_size), finetune, drop_prob
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

    def forward(self, images: torch.Tensor, drop: Optional[bool] = None) -> torch.Tensor:
        """Images in [0, 1] (3 or 4 channels, any size) -> prior B x D x 1 x T."""
        x = images[:, :3]
        if tuple(x.shape[-2:]) != self.input_size:
            x = F.interpolate(x, size=self.input_size, mode='bicubic', align_corners=False).clamp(0, 1)
        with torch.set_grad_enabled(self.finetune and torch.is_grad_enabled()):
            prior = self.recognizer.probs(x)
        drop = self.training if drop is None else drop
        if drop and self.drop_prob > 0:
            keep = (torch.rand(prior.shape[0], 1, 1, 1, device=prior.device) >= self.drop_prob).to(prior.dtype)
            prior = prior * keep
        return prior
