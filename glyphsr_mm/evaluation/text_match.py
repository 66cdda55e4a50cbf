"""How a recognised string is compared with its label (MMOCR's WordMetric modes plus TextZoom's protocol)."""
import re
import unicodedata

from glyphsr_mm.utils.text import str_filt

#: Comparison modes: MMOCR WordMetric's names, plus ``textzoom`` (lower-cased alphanumerics, docs/design.md §5).
MATCH_MODES = ('textzoom', 'exact', 'ignore_case', 'ignore_case_symbol')
_SYMBOLS = re.compile(r'[^\w]|_', flags=re.UNICODE)


def normalize(text: str, mode: str = 'textzoom') -> str:
    """Normalise ``text`` for comparison under ``mode``."""
    if mode == 'textzoom':
        return str_filt(unicodedata.normalize('NFC', text), 'lower')
    if mode == 'exact':
        return unicodedata.normalize('NFC', text)
    if mode == 'ignore_case':
        return unicodedata.normalize('NFC', text).lower()
    if mode == 'ignore_case_symbol':
        return _SYMBOLS.sub('', unicodedata.normalize('NFC', text).lower())
    raise ValueError(f'match mode must be one of {MATCH_MODES}, got {mode!r}')


def is_match(pred: str, gt: str, mode: str = 'textzoom') -> bool:
    """Whether ``pred`` reads ``gt`` under ``mode``."""
    return normalize(pred, mode) == normalize(gt, mode)
