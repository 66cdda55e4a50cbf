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


def test_aster_supplies_1d_glyph_attention():
    from glyphsr_mm.models.recognizers import ASTERRecognizer
    torch.manual_seed(0)
    aster = ASTERRecognizer(stn=False, allow_random=True).eval()
    x = torch.rand(2, 3, 32, 128)
    with torch.no_grad():
        forced, greedy = aster.attention(x, ['Ab-c', 'x1']), aster.attention(x)
    assert forced.shape == (2, 4, 32) and greedy.shape == (2, 26, 32)  # 'abc' + end step; width 128 / 4
    torch.testing.assert_close(forced.sum(-1), torch.ones(2, 4))
    # Steps 0 and 1 attend from states that the fed characters have not reached yet: same as greedy decoding.
    torch.testing.assert_close(forced[:, :2], greedy[:, :2])
    assert not torch.equal(forced[:, 2], greedy[:, 2])  # step 2 follows the forced first character
    ex = SAMGlyphExtractor(sam=build_sam('tiny', allow_random=True), recognizer=dict(TINY_TBSRN),
                           glyph_recognizer=aster, tau=0.0)
    attn2d, attn1d = ex.attention([np.zeros((32, 128, 3), np.uint8)] * 2, ['Ab-c', 'x1'])
    assert attn1d.shape == (2, 4, 32) and attn2d.shape[:2] == (2, 4)


def test_attention_shift_reads_the_next_step():
    class Fixed(torch.nn.Module):
        """A recognizer whose step t attends to the column block of character t - 1 (step 0: nothing useful)."""

        def attention(self, images, labels):
            maps = torch.zeros(len(images), 4, 8, 32)
            for t in range(1, 4):
                maps[:, t, 2:6, 8 * (t - 1) + 2:8 * (t - 1) + 6] = 1.0
            return maps

    img = np.full((32, 128, 3), 255, np.uint8)
    for k in range(3):  # three dark characters in the column blocks 0-31, 32-63, 64-95
        img[8:24, 32 * k + 8:32 * k + 24] = 0
    kwargs = dict(sam=build_sam('tiny', allow_random=True), recognizer=Fixed(), tau=0.0)
    shifted, plain = SAMGlyphExtractor(attention_shift=1, **kwargs), SAMGlyphExtractor(**kwargs)
    a2, a1 = shifted.attention([img], ['abc'])
    kp1, kp2, _ = shifted.key_points(img, a2[0, 1:4], a1[0, 1:4])
    assert [int(p[0] // 32) for p in kp1.points] == [0, 1, 2] and kp2.reliable.all()
    assert [r != 'skipped' for r in shifted([img], ['abc'])[0].rules] == [True] * 3
    assert plain([img], ['abcd'])[0].rules[3] != 'skipped'  # 4 steps read 4 characters; with shift 1, 3
    assert shifted([img], ['abcd'])[0].rules[3] == 'skipped'
