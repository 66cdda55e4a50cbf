"""glyphsr_mm: GlyphSR (AAAI 2025, glyph-aware scene text image super-resolution) for MMagic.

``import glyphsr_mm`` registers the project's components into ``mmagic.registry`` without importing MMagic's
own model zoo; configs load it with ``custom_imports = dict(imports=['glyphsr_mm'], allow_failed_imports=False)``.
"""
import os

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # albumentations phones home at import otherwise

from .version import __version__
from .utils.checkpoint import register_safe_globals

register_safe_globals()

from . import datasets, engine, evaluation, glyph, models, transforms  # noqa: E402,F401  (registers components)

__all__ = ['__version__']
