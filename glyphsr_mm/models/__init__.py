from . import backbones, heads, layers, losses, necks, restorers, text_prior  # noqa: F401
