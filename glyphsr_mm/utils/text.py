"""Label vocabularies and TextZoom's label filter (``str_filt``)."""
import string

# TextZoom / TSRN vocabularies: ``all`` is printable ASCII without white space.
VOCABULARIES = {
    'digits': string.digits,
    'lower': string.digits + string.ascii_lowercase,
    'upper': string.digits + string.ascii_letters,
    'all': string.printable[:-6],
}


def str_filt(text: str, voc_type: str = 'lower') -> str:
    """Normalise ``text`` to ``voc_type``: lower-case first for ``'lower'``, then drop characters outside it.

    ``str_filt(label, 'lower')`` is TextZoom's evaluation protocol (lower-cased alphanumerics).
    """
    if voc_type not in VOCABULARIES:
        raise ValueError(f'voc_type must be one of {sorted(VOCABULARIES)}, got {voc_type!r}')
    if voc_type == 'lower':
        text = text.lower()
    allowed = VOCABULARIES[voc_type]
    return ''.join(c for c in text if c in allowed)
