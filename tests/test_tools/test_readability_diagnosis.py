"""tools/analysis/readability_diagnosis.py: the character alignment and the reading tables built on it."""
import importlib.util
import os

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location(
    'readability_diagnosis', os.path.join(ROOT, 'tools', 'analysis', 'readability_diagnosis.py'))
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


def test_alignment_names_each_label_character_and_each_extra_reading_character():
    assert tool.align('hello', 'hello') == [(c, 'correct', c) for c in 'hello']
    assert tool.align('coffee', 'c0ffee')[1] == ('o', 'substituted', '0')
    assert [o for _, o, _ in tool.align('train', 'tran')] == ['correct'] * 3 + ['deleted', 'correct']
    got = tool.align('ab', 'abxy')
    assert [t for t in got if t[0] is None] == [(None, 'inserted', 'x'), (None, 'inserted', 'y')]
    # A replace of unequal length: pairwise substitutions, the rest deleted.
    assert [o for _, o, _ in tool.align('mn', 'w')] == ['substituted', 'deleted']
    assert sum(t[0] is not None for t in tool.align('street', 'sl')) == len('street')


def test_reading_tables_count_words_characters_and_substitutions():
    labels = ['cat', 'dog', 'sun']
    readings = dict(bicubic=['ca', 'dog', ''], SR=['cat', 'dag', 'sun'], HR=['cat', 'dog', 'sun'])
    text = '\n'.join(tool.reading_tables(labels, readings, min_count=1))
    assert 'bicubic 33.3 %, SR 66.7 %, HR 100.0 %' in text
    assert '| right | wrong | 2 | 66.7 % |' in text  # cat and sun: SR right where bicubic is not
    assert '| wrong | right | 1 | 33.3 % |' in text  # dog
    # 9 label characters: bicubic reads 5 right and deletes 4 (t, s, u, n); SR reads 8 right and substitutes 1.
    assert '| bicubic | 55.6 | 0.0 | 44.4 | 0.0 |' in text
    assert '| SR | 88.9 | 11.1 | 0.0 | 0.0 |' in text
    assert '| `o` -> `a` | 1 | 0 |' in text
    # Every character bicubic deleted is right in SR.
    assert '| deleted | 100.0 % | 0.0 % | 0.0 % |' in text
