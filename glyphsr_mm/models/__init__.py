from . import backbones, heads, layers, losses, necks, recognizers, text_prior  # noqa: F401
