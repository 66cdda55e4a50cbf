"""The embedded default is the same on every machine: pinned fonts, byte-identical synthetic records for a seed.

``tests/data/synthetic_checksums.json`` holds the SHA-256 of each pinned font file and of the first 32 records of
each split for seed 0. A change of fonts, PIL, OpenCV, numpy or wordfreq behaviour fails here instead of silently
changing the data every synthetic figure is measured on. After an intended change, regenerate it with
``python tools/dataset_converters/make_synthetic_textzoom.py --checksums 32 > tests/data/synthetic_checksums.json``
and re-measure the figures the docs quote.
"""
import json
import os.path as osp

import pytest

from glyphsr_mm.datasets.synthetic_text import PINNED_FONTS, SyntheticTextRenderer, pinned_fonts, resolve_fonts
from tools.dataset_converters.make_synthetic_textzoom import record_checksums

STORED = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'data', 'synthetic_checksums.json')


def test_pinned_fonts_are_a_fixed_varied_set():
    fonts = pinned_fonts()
    assert len(fonts) == len(PINNED_FONTS) >= 12
    styles = ' '.join(style for _, _, style in PINNED_FONTS)
    for kind in ('serif', 'sans', 'mono', 'condensed', 'bold', 'italic'):
        assert kind in styles, kind
    assert SyntheticTextRenderer(words=['word']).fonts == fonts  # the default, whatever the machine has installed


def test_font_specs_fail_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match='no .ttf'):
        resolve_fonts(str(tmp_path))
    with pytest.raises(FileNotFoundError, match='missing'):
        resolve_fonts(str(tmp_path / 'nope.ttf'))


def test_seed_0_records_match_the_stored_checksums():
    stored = json.load(open(STORED))
    now = record_checksums(stored['seed'], stored['records'])
    assert now['fonts'] == stored['fonts'], 'the pinned font files differ from the stored ones'
    assert now['splits'] == stored['splits'], 'synthetic records for seed 0 differ from the stored checksums'
