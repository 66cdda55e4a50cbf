"""GEM's geometric steps: K-means foreground, key points from attention, anchors, mask selection."""
import numpy as np
import pytest

from glyphsr_mm.datasets.synthetic_text import SyntheticTextRenderer
from glyphsr_mm.glyph import (glyph_attention_points, kmeans_foreground, make_anchors, mask_iou,
                              position_attention_points, select_mask)


@pytest.fixture(scope='module')
def samples():
    renderer, rng = SyntheticTextRenderer(), np.random.default_rng(11)
    return [renderer.render(rng, 'easy') for _ in range(40)]


def box_attention(boxes, rng, grid=(8, 32), size=(32, 128), noise=0.15):
    """What a well-trained recognizer's attention looks like: a blob on each character box on the feature grid,
    plus low-level noise everywhere and a weaker distractor blob on a random other position."""
    gh, gw = grid
    ys, xs = (np.arange(gh) + 0.5) * size[0] / gh, (np.arange(gw) + 0.5) * size[1] / gw
    maps = []
    for x0, y0, x1, y1 in boxes:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        sx, sy = max(2.0, (x1 - x0) / 3), max(2.0, (y1 - y0) / 3)
        blob = np.exp(-((xs[None] - cx) ** 2 / (2 * sx ** 2) + (ys[:, None] - cy) ** 2 / (2 * sy ** 2)))
        dx = rng.uniform(0, size[1])
        blob += 0.35 * np.exp(-((xs[None] - dx) ** 2 / 8 + (ys[:, None] - size[0] / 2) ** 2 / 8))
        maps.append(blob + noise * rng.random(grid))
    return np.stack(maps).astype(np.float32)


def inside(point, box):
    x0, y0, x1, y1 = box
    return x0 <= point[0] < x1 and y0 <= point[1] < y1


def test_kmeans_foreground_finds_text_of_either_polarity(samples):
    ious, polarities = [], set()
    for s in samples:
        fg = kmeans_foreground(s.hr)
        truth = s.alpha >= 0.5
        ious.append(mask_iou(fg[None], truth)[0])
        polarities.add(bool(s.hr[truth].mean() > s.hr[~truth].mean()))
    assert polarities == {True, False}  # dark-on-light and light-on-dark both occur
    # K-means on gray fails on some backgrounds (gradients, low contrast): the paper's known limit.
    assert np.mean(ious) > 0.8 and np.mean(np.array(ious) > 0.5) >= 0.9


def test_kmeans_foreground_of_a_flat_image_is_empty():
    assert not kmeans_foreground(np.full((32, 128, 3), 77, np.uint8)).any()


def test_position_attention_points_fall_in_the_right_box(samples):
    rng = np.random.default_rng(0)
    hits = total = 0
    for s in samples:
        kp = position_attention_points(box_attention(s.boxes, rng))
        assert kp.reliable.all()
        hits += sum(inside(p, b) for p, b in zip(kp.points, s.boxes))
        total += len(s.boxes)
    assert hits / total >= 0.9


def test_glyph_attention_points_fall_in_the_right_box(samples):
    rng = np.random.default_rng(1)
    hits = total = 0
    for s in samples:
        attn1d = box_attention(s.boxes, rng).sum(1)  # over the width
        kp = glyph_attention_points(kmeans_foreground(s.hr), attn1d)
        hits += sum(inside(p, b) for p, b, r in zip(kp.points, s.boxes, kp.reliable) if r)
        total += len(s.boxes)
        assert kp.regions.shape == (len(s.boxes), 32, 128)
        for region, box, r in zip(kp.regions, kp.boxes, kp.reliable):
            if r:  # the box is the region's bounding box
                ys, xs = np.nonzero(region)
                assert tuple(box) == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    assert hits / total >= 0.9


def test_key_points_without_attention_are_unreliable():
    kp = position_attention_points(np.zeros((2, 8, 32), np.float32))
    assert not kp.reliable.any()
    fg = np.zeros((32, 128), bool)
    kp = glyph_attention_points(fg, np.ones((3, 32), np.float32))
    assert not kp.reliable.any() and not kp.regions.any()
    assert np.allclose(kp.points[:, 1], 15.5)


def test_opening_removes_a_single_pixel_speck():
    attn = np.zeros((1, 32, 128), np.float32)
    attn[0, 5, 100] = 1.0  # a speck at the maximum
    attn[0, 10:20, 20:30] = 0.9  # the character
    kp = position_attention_points(attn, open_size=3)
    assert inside(kp.points[0], (20, 10, 30, 20))
    kp = position_attention_points(attn, open_size=0)  # without the opening the speck is a (weaker) component
    assert inside(kp.points[0], (20, 10, 30, 20))
    attn[0, 10:20, 20:30] = 0.0
    assert not position_attention_points(attn, open_size=3).reliable[0]


def test_anchors_are_4k_plus_1_shifts_clipped_to_the_image():
    a = make_anchors(np.array([[50.0, 16.0], [1.0, 30.0]]), steps=(2, 4), size=(32, 128))
    assert a.shape == (2, 9, 2)
    expected = [(50, 16), (50, 14), (50, 18), (48, 16), (52, 16), (50, 12), (50, 20), (46, 16), (54, 16)]
    assert np.array_equal(a[0], np.array(expected, np.float32))
    assert a[1, :, 0].min() == 0 and a[1, :, 1].max() == 31  # clipped left and bottom
    assert make_anchors(np.zeros((1, 2)), steps=(1, 2, 3)).shape == (1, 13, 2)


def rect(y0, y1, x0, x1, size=(32, 128)):
    m = np.zeros(size, bool)
    m[y0:y1, x0:x1] = True
    return m


def test_select_mask_rules_on_hand_made_masks():
    region = rect(8, 24, 10, 20)
    cands = np.stack([rect(0, 32, 0, 128),   # the whole word, high score
                      rect(8, 24, 10, 21),   # the character, passes tau
                      rect(8, 24, 10, 20),   # the character exactly, below tau
                      rect(10, 12, 60, 62)])  # a speck
    scores = np.array([0.99, 0.85, 0.5, 0.95])
    assert select_mask(cands, scores, region, tau=0.8) == (1, 'iou')
    assert select_mask(cands, scores, region, tau=0.4) == (2, 'iou')
    # Unreliable glyph attention: score / sqrt(area) prefers the confident small speck over the whole word.
    assert select_mask(cands, scores, None, tau=0.8) == (3, 'score_area')
    assert select_mask(cands, scores, np.zeros_like(region), tau=0.8) == (3, 'score_area')
    # Nothing passes tau: fall back even though the region is reliable.
    assert select_mask(cands, scores * 0.5, region, tau=0.8) == (3, 'score_area')
    # Candidates that pass tau but miss the region: fall back.
    assert select_mask(cands[3:], scores[3:], region, tau=0.8) == (0, 'score_area')
    assert select_mask(np.zeros((2, 32, 128), bool), np.ones(2), region) == (-1, 'none')
