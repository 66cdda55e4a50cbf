from .text_match import MATCH_MODES, is_match, normalize
from .word_accuracy import WordAccuracy

__all__ = ['MATCH_MODES', 'is_match', 'normalize', 'WordAccuracy']
