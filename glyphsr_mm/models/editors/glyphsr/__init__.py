"""GlyphSR (AAAI 2025): the restorer, its generator and the generator's parts, one file each.

- ``glyphsr.py``: :class:`GlyphSR`, the MMagic restorer (losses, text prior, train/test steps).
- ``glyphsr_net.py``: :class:`GlyphSRNet`, the generator of the paper and the release.
- ``glyph_aware_generator.py``: :class:`GlyphAwareGenerator`, GPM + GFM attached to any MMagic generator.
- ``gpm.py``: :class:`GlyphPerceptionHead` (GPM); ``gfm.py``: :class:`GlyphFusionNeck` (GFM).
- ``sr_block.py``: :class:`TextPriorSRBlock`; ``text_prior_transformer.py``: :class:`TextPriorTransformer`;
  ``text_prior_generator.py``: :class:`TextPriorGenerator` (a recognizer's probabilities as the text prior).

:class:`GlyphSR` subclasses MMagic's ``BaseEditModel``, whose import loads ``mmagic.models`` (seconds); it is
imported on first use (``glyphsr_mm.models.editors.glyphsr.GlyphSR``, or building ``type='GlyphSR'``), so that
``import glyphsr_mm`` stays fast.
"""
from .gfm import GlyphFusionNeck
from .glyph_aware_generator import GlyphAwareGenerator
from .glyphsr_net import GlyphSRNet
from .gpm import GlyphPerceptionHead
from .sr_block import TextPriorSRBlock
from .text_prior_generator import TextPriorGenerator
from .text_prior_transformer import TextPriorTransformer

__all__ = ['GlyphSR', 'GlyphSRNet', 'GlyphAwareGenerator', 'GlyphPerceptionHead', 'GlyphFusionNeck',
           'TextPriorSRBlock', 'TextPriorGenerator', 'TextPriorTransformer']


def __getattr__(name: str):
    if name == 'GlyphSR':
        from .glyphsr import GlyphSR
        return GlyphSR
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
