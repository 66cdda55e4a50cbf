"""Editors (one folder per model, as MMagic's ``mmagic/models/editors/``)."""
from . import glyphsr  # noqa: F401
