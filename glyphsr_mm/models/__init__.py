from . import layers, recognizers  # noqa: F401
