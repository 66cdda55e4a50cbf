"""tools/analysis/compute_confusion.py: substitution counting and the matrix it writes."""
import importlib.util
import os

import numpy as np

from glyphsr_mm.models.losses import confusion_weight_table
from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location('compute_confusion',
                                              os.path.join(ROOT, 'tools', 'analysis', 'compute_confusion.py'))
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


def test_substitutions_are_counted_on_aligned_characters_only():
    idx = {c: i for i, c in enumerate(tool.ORDER)}
    counts = tool.count_substitutions([('c0ffee', 'coffee'), ('hel1o', 'hello'), ('abc', 'abcd'), ('same', 'same')])
    assert counts[idx['o'], idx['0']] == 1 and counts[idx['l'], idx['1']] == 1
    assert counts.sum() == 2  # the deletion in 'abcd' is not a substitution


def test_matrix_layout_loads_as_a_weight_table():
    idx = {c: i for i, c in enumerate(tool.ORDER)}
    counts = np.zeros((62, 62))
    counts[idx['o'], idx['0']] = 9
    counts[idx['o'], idx['o']] = 0
    m = tool.counts_to_matrix(counts)
    assert m.shape == (62, 62) and np.all(np.diag(m) == 0) and np.allclose(m, m.T)
    assert m[idx['o'], idx['0']] < m[idx['a'], idx['b']] == 1.0  # confusable pair: smaller distance
    w = confusion_weight_table(m)
    assert w[1 + 0, 11 + 14].item() > 1.0  # '0' vs 'o': weight above the neutral 1
