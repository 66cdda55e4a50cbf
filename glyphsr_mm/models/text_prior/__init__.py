from .text_prior_generator import TextPriorGenerator
from .text_prior_transformer import TextPriorTransformer

__all__ = ["TextPriorGenerator", "TextPriorTransformer"]
