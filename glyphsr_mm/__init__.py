"""glyphsr_mm: GlyphSR (AAAI 2025, glyph-aware scene text image super-resolution) for MMagic.

``import glyphsr_mm`` registers the project's components into ``mmagic.registry`` without importing MMagic's
model zoo or MMEngine's runner (the restorer, hooks and metrics register on the registries' first lookup, see
``glyphsr_mm.registry``); every config loads it with one line,
``custom_imports = dict(imports=['glyphsr_mm'], allow_failed_imports=False)``.
"""
import os

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # albumentations phones home at import otherwise

from .version import __version__
from .registry import register_on_first_lookup
from .utils.checkpoint import register_safe_globals

register_safe_globals()

from . import datasets, evaluation, glyph, models, transforms  # noqa: E402,F401  (registers components)

register_on_first_lookup()

__all__ = ['__version__']
