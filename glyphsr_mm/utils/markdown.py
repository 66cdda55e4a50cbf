"""The one markdown writer: tables (GitHub style) and replaceable sections of a markdown file."""
import os
import re
from typing import Iterable, List, Optional, Sequence

_ALIGN = {'l': '---', 'r': '---:', 'c': ':-:'}


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]], align: Optional[str] = None) -> List[str]:
    """Lines of a markdown table. ``align``: one letter per column, ``l``/``r``/``c``; default: the first column
    left, the others right (numbers). Cells are written with ``str``; a row must have one cell per column."""
    align = align or 'l' + 'r' * (len(header) - 1)
    if len(align) != len(header):
        raise ValueError(f'align {align!r} has {len(align)} letters for {len(header)} columns')
    lines = ['| ' + ' | '.join(header) + ' |', '| ' + ' | '.join(_ALIGN[a] for a in align) + ' |']
    for row in rows:
        row = [str(c) for c in row]
        if len(row) != len(header):
            raise ValueError(f'row {row} has {len(row)} cells for {len(header)} columns')
        lines.append('| ' + ' | '.join(row) + ' |')
    return lines


def replace_section(path: str, key: str, lines: Sequence[str], title: str = '') -> None:
    """Replace (or append) the block between ``<!-- key -->`` and ``<!-- /key -->`` of a markdown file with
    ``lines``; a new file starts with ``title``."""
    begin, end = f'<!-- {key} -->', f'<!-- /{key} -->'
    block = '\n'.join([begin, *lines, end])
    text = open(path).read() if os.path.exists(path) else (title + '\n' if title else '')
    if begin in text:
        text = re.sub(re.escape(begin) + '.*?' + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip('\n') + '\n\n' + block + '\n'
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)
