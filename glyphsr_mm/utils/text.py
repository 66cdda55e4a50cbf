"""Label vocabularies and TextZoom's label filter (``str_filt``)."""
import string
from typing import List, Optional, Tuple

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


def kept_positions(raw: str, text: str) -> Optional[List[int]]:
    """Indices of the characters of ``raw`` that survive in ``text = str_filt(raw, voc)``, in order; None when
    ``text`` is not a filtered form of ``raw``.

    The filter only deletes characters outside the vocabulary (and lower-cases for ``'lower'``), and a deleted
    character never equals a kept one, so matching case-insensitively from the left is exact: e.g. ``'x-Y z'``
    filtered to ``'xyz'`` keeps positions [0, 2, 4]. Glyph masks are made per character of the raw label; this
    picks the ones that line up with the filtered label the models are trained on.
    """
    out, j = [], 0
    for i, c in enumerate(raw):
        if j < len(text) and c.lower() == text[j].lower():
            out.append(i)
            j += 1
    return out if j == len(text) else None


def read_label_file(path: str) -> List[Tuple[str, str]]:
    """``(file, label)`` rows of a ``file<TAB>label`` file (``labels.tsv``); an optional ``file<TAB>label`` header
    is skipped, blank lines too; a line without a tab fails naming the file and line."""
    rows = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip():
                continue
            if '\t' not in line:
                raise ValueError(f'{path}:{n}: expected "file<TAB>label", got {line!r}')
            name, label = line.split('\t', 1)
            if n == 1 and (name, label) == ('file', 'label'):
                continue  # header row
            rows.append((name, label))
    return rows
