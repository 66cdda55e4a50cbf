"""GFM for any MMagic generator: GPM and GFM attached to named submodules with forward hooks.

The wrapped generator is untouched (its parameters keep their names under ``generator.``), so its stock
checkpoints load with :meth:`GlyphAwareGenerator.load_generator_checkpoint`.
"""
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn

from glyphsr_mm.registry import MODELS
from glyphsr_mm.utils.checkpoint import load_state_dict_strict
from .gfm import GlyphFusionNeck
from .gpm import GlyphPerceptionHead


@MODELS.register_module()
class GlyphAwareGenerator(nn.Module):
    """Wrap ``generator`` (e.g. ``EDSRNet``, ``MSRResNet``, ``RRDBNet``) with GlyphSR's glyph modules.

    ``forward(lr) -> (sr, (line_map, char_maps, char_logits))`` like :class:`GlyphSRNet`. It takes no text prior
    (the wrapped MMagic generators have nowhere to put one), so a restorer configured with one refuses to build
    instead of running a recognizer every step for nothing.

    Args:
        generator: Config (built from MMagic's MODELS) or module.
        head_after: Name of the submodule (``named_modules``) whose output feeds the GPM, e.g. ``'body.11'``.
        neck_after: Names of the submodules after which a GFM transforms the output (in forward order; the first
            is usually ``head_after``).
        channels: Feature channels at those points (64 for the MMagic defaults).
        num_maps / num_classes / gpm_scales: As in :class:`GlyphSRNet`.
    """

    def __init__(self, generator: Union[dict, nn.Module], head_after: str, neck_after: Sequence[str] = (),
                 channels: int = 64, num_maps: int = 16, num_classes: int = 39, gpm_scales: int = 2,
                 dcn_backend: str = 'auto') -> None:
        super().__init__()
        self.generator = MODELS.build(generator) if isinstance(generator, dict) else generator
        modules = dict(self.generator.named_modules())
        for name in [head_after, *neck_after]:
            if name not in modules:
                some = [n for n in modules if n][:30]
                raise KeyError(f'{type(self.generator).__name__} has no submodule {name!r}; some names: {some}')
        self.head_after, self.neck_after = head_after, tuple(neck_after)
        self.prior_classes, self.takes_text_prior = 0, False
        self.char_seg = GlyphPerceptionHead(channels, num_maps, num_classes, gpm_scales)
        self.necks = nn.ModuleList([GlyphFusionNeck(channels, num_maps, dcn_backend) for _ in self.neck_after])
        self._glyph: Optional[tuple] = None
        self._with_logits = True
        modules[head_after].register_forward_hook(self._head_hook)
        for i, name in enumerate(self.neck_after):
            modules[name].register_forward_hook(self._make_neck_hook(i))

    def _head_hook(self, module, inputs, output):
        self._glyph = self.char_seg(output, self._with_logits)

    def _make_neck_hook(self, i: int):
        def hook(module, inputs, output):
            if self._glyph is None:
                raise RuntimeError(f'GFM after {self.neck_after[i]!r} runs before the GPM after {self.head_after!r}')
            return self.necks[i](output, self._glyph[1])
        return hook

    def forward(self, lr: torch.Tensor, with_char_logits: bool = True):
        """LR -> (sr, (line_map, char_maps, char_logits)); ``with_char_logits=False`` skips the GPM class branch."""
        self._glyph, self._with_logits = None, with_char_logits
        sr = self.generator(lr)
        glyph, self._glyph = self._glyph, None
        return sr, glyph if glyph is not None else (None, None, None)

    def load_generator_checkpoint(self, path: str) -> None:
        """Load a stock checkpoint of the wrapped generator (MMagic restorer ``generator.*`` keys, or bare)."""
        load_state_dict_strict(self.generator, path, what=type(self.generator).__name__,
                               strip_prefixes=('module.', 'generator.'))
