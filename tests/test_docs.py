"""The documentation a user reads: every relative link in README.md, checkpoints/README.md and docs/ resolves (files,
folders and heading anchors); no internal work items ("issue 12", "session 3") outside docs/runs/; README.md stays a
front page (size, the two set-up commands first)."""
import os
import re

import pytest

from tests.conftest import ROOT

LINK = re.compile(r'!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+"[^"]*")?\)')
HEADING = re.compile(r'^(#{1,6})\s+(.*?)\s*#*\s*$')
WORK_ITEM = re.compile(r'\b(issue|session)s?\s+#?\d+', re.IGNORECASE)


def doc_files():
    files = [os.path.join(ROOT, 'README.md'), os.path.join(ROOT, 'checkpoints', 'README.md')]
    for folder, _, names in os.walk(os.path.join(ROOT, 'docs')):
        files += [os.path.join(folder, n) for n in sorted(names) if n.endswith('.md')]
    return files


def github_anchor(heading: str) -> str:
    """GitHub's anchor of a heading: link markup reduced to its text, lower case, punctuation dropped (word
    characters, spaces and hyphens kept), spaces to hyphens."""
    text = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', heading).strip().lower()
    return re.sub(r'[^\w\- ]', '', text).replace(' ', '-')


def anchors(path: str) -> set:
    found, seen, fenced = set(), {}, False
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.lstrip().startswith('```'):
                fenced = not fenced
            m = None if fenced else HEADING.match(line)
            if m:
                a = github_anchor(m.group(2))
                n = seen.get(a, 0)
                seen[a] = n + 1
                found.add(a if n == 0 else f'{a}-{n}')
    return found


def links(path: str):
    fenced = False
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            if line.lstrip().startswith('```'):
                fenced = not fenced
                continue
            if not fenced:
                for m in LINK.finditer(line):
                    yield lineno, m.group(1)


def test_anchor_rule_matches_github():
    assert github_anchor('Table 4: where GPM and GFM sit (N_gly)') == 'table-4-where-gpm-and-gfm-sit-n_gly'
    assert github_anchor('Install `mmcv` (CUDA)') == 'install-mmcv-cuda'
    assert github_anchor('Results — [Table 1](x.md)') == 'results--table-1'


@pytest.mark.parametrize('path', doc_files(), ids=lambda p: os.path.relpath(p, ROOT))
def test_every_relative_link_resolves(path):
    broken = []
    for lineno, target in links(path):
        if re.match(r'^[a-z]+:', target):  # http(s), mailto: not checked offline
            continue
        file_part, _, anchor = target.partition('#')
        dest = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
        if not os.path.exists(dest):
            broken.append(f'line {lineno}: {target} (no such file)')
        elif anchor and dest.endswith('.md') and anchor not in anchors(dest):
            broken.append(f'line {lineno}: {target} (no heading with anchor #{anchor})')
    assert not broken, f'{os.path.relpath(path, ROOT)}:\n  ' + '\n  '.join(broken)


def test_no_internal_work_items_outside_the_run_logs():
    hits = []
    roots = ['glyphsr_mm', 'configs', 'tools', 'tests', 'docs']
    files = [os.path.join(ROOT, 'README.md'), os.path.join(ROOT, 'checkpoints', 'README.md')]
    for r in roots:
        for folder, dirs, names in os.walk(os.path.join(ROOT, r)):
            dirs[:] = [d for d in dirs if d not in ('runs', '__pycache__', 'data')]
            files += [os.path.join(folder, n) for n in names if n.endswith(('.py', '.md', '.sh'))]
    for path in files:
        if path == os.path.abspath(__file__):
            continue
        with open(path, encoding='utf-8') as f:
            for lineno, line in enumerate(f, 1):
                if WORK_ITEM.search(line):
                    hits.append(f'{os.path.relpath(path, ROOT)}:{lineno}: {line.strip()[:100]}')
    assert not hits, 'results are dated, not numbered by work item:\n  ' + '\n  '.join(hits)


def test_readme_is_a_front_page():
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as f:
        text = f.read()
    assert len(text) <= 12000, f'README.md has {len(text)} characters (at most 12,000; details go to docs/)'
    first_block = text.split('```')[1]
    assert 'make demo' in first_block and 'make test' in first_block
