"""SAMGlyphExtractor end to end on synthetic crops with a tiny random SAM and a tiny random TBSRN recognizer."""
import numpy as np
import pytest
import torch

from glyphsr_mm.datasets.synthetic_text import SyntheticTextRenderer
from glyphsr_mm.glyph import SAMGlyphExtractor, build_sam, kmeans_glyph_masks
from glyphsr_mm.glyph.sam_glyph_extractor import read_positions, summarize
from tests.tiny_glyphsr import TINY_TBSRN


@pytest.fixture(scope='module')
def extractor():
    torch.manual_seed(0)
    return SAMGlyphExtractor(sam=build_sam('tiny', allow_random=True), recognizer=dict(TINY_TBSRN), tau=0.0)


def test_one_mask_per_label_character(extractor):
    renderer, rng = SyntheticTextRenderer(), np.random.default_rng(5)
    samples = [renderer.render(rng, 'easy', label) for label in ('Cat', 'ok!', '7up')]
    out = extractor([s.hr for s in samples], [s.label for s in samples])
    assert len(out) == 3
    for s, g in zip(samples, out):
        assert g.chars.shape == (len(s.label), 32, 128) and g.chars.dtype == bool
        assert np.array_equal(g.line, g.chars.any(0))
        assert len(g.rules) == len(s.label)
    ok = out[1]
    assert ok.rules[2] == 'skipped' and not ok.chars[2].any()  # '!' is not read by the recognizer
    assert all(r in ('iou', 'score_area') for r in ok.rules[:2])
    assert all(g.chars[i].any() for g in out for i, r in enumerate(g.rules) if r != 'skipped')
    stats = summarize(out)
    assert stats['rule_skipped'] == pytest.approx(1 / 9)
    assert stats['rule_iou'] + stats['rule_score_area'] + stats['rule_none'] == pytest.approx(8 / 9)


def test_read_positions_and_kmeans_mode():
    assert read_positions('(ab-C!', 26) == [1, 2, 4]
    assert read_positions('abcdef', 3) == [0, 1, 2]
    img = np.full((32, 128, 3), 200, np.uint8)
    img[8:24, 30:90] = 20
    g = kmeans_glyph_masks(img, 'word')
    assert g.chars.shape == (0, 32, 128) and g.line[8:24, 30:90].all() and g.line.sum() == 16 * 60


def test_recognizer_without_weights_is_refused():
    with pytest.raises(RuntimeError, match='(?i)checkpoint|random'):
        ex = SAMGlyphExtractor(sam=build_sam('tiny', allow_random=True),
                               recognizer=dict(TINY_TBSRN, allow_random=False))
        ex([np.zeros((32, 128, 3), np.uint8)], ['a'])
    with pytest.raises(ValueError, match='labels'):
        SAMGlyphExtractor(sam=build_sam('tiny', allow_random=True), recognizer=dict(TINY_TBSRN))(
            [np.zeros((32, 128, 3), np.uint8)], [])
