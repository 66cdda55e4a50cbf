"""The synthetic TextZoom generator: format, determinism, and exact glyph masks."""
import os
import subprocess
import sys

import numpy as np
import pytest

from glyphsr_mm.datasets import TextZoomDataset, TextZoomLMDB
from glyphsr_mm.datasets.mask_codec import boxes_key, decode_boxes, decode_masks, encode_masks, glyph_key
from glyphsr_mm.datasets.synthetic_text import SyntheticTextRenderer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, 'tools', 'dataset_converters', 'make_synthetic_textzoom.py')


@pytest.fixture(scope='module')
def renderer():
    return SyntheticTextRenderer()


def test_masks_exact_inside_boxes_and_union_is_text(renderer):
    rng = np.random.default_rng(0)
    for k in range(40):
        s = renderer.render(rng, ('easy', 'medium', 'hard')[k % 3])
        assert s.hr.shape == (32, 128, 3) and s.lr.shape == (16, 64, 3) and s.hr.dtype == np.uint8
        assert s.char_masks.shape == (len(s.label), 32, 128) and len(s.boxes) == len(s.label)
        for ch, m, (x0, y0, x1, y1) in zip(s.label, s.char_masks, s.boxes):
            ys, xs = np.nonzero(m)
            if len(xs):
                assert x0 <= xs.min() and xs.max() < x1 and y0 <= ys.min() and ys.max() < y1, (s.label, ch)
        # The union of the character masks is exactly the text pixels of the composited HR image.
        np.testing.assert_array_equal(s.char_masks.any(0), s.alpha >= 0.5)
    same = renderer.render(np.random.default_rng(7), 'easy', label='Glyph')
    again = renderer.render(np.random.default_rng(7), 'easy', label='Glyph')
    np.testing.assert_array_equal(same.char_masks, again.char_masks)
    np.testing.assert_array_equal(same.hr, again.hr)


def test_mask_union_separates_text_colour_from_background(renderer):
    rng = np.random.default_rng(3)
    s = renderer.render(rng, 'easy', label='Hello42')
    union = s.char_masks.any(0)
    assert union.sum() > 50
    # Pixels inside the union differ in colour from those outside (text vs background).
    inside, outside = s.hr[union].astype(float).mean(0), s.hr[~union].astype(float).mean(0)
    assert np.abs(inside - outside).mean() > 30


def test_mask_codec_round_trip():
    m = np.random.default_rng(0).random((7, 32, 128)) > 0.7
    data = encode_masks(m)
    assert len(data) < m.size // 8 + 64
    np.testing.assert_array_equal(decode_masks(data), m)


def _gen(out, seed, workers):
    res = subprocess.run([sys.executable, TOOL, str(out), '--num-train', '40', '--num-test', '12', '--seed',
                          str(seed), '--workers', str(workers)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_generator_writes_textzoom_format_deterministically(tmp_path):
    _gen(tmp_path / 'a', 5, 1)
    _gen(tmp_path / 'b', 5, 2)  # same seed, different worker count: identical data
    _gen(tmp_path / 'c', 6, 1)
    for split in ('train', 'test/easy', 'test/medium', 'test/hard'):
        a, b = TextZoomLMDB(str(tmp_path / 'a' / split)), TextZoomLMDB(str(tmp_path / 'b' / split))
        assert len(a) == (40 if split == 'train' else 12)
        for i in range(1, len(a) + 1):
            for key in (b'label-%09d' % i, b'image_lr-%09d' % i, b'image_hr-%09d' % i,
                        glyph_key(i)):
                assert a.get(key) == b.get(key), (split, key)
        masks = decode_masks(a.get(glyph_key(1)))
        boxes = decode_boxes(a.get(boxes_key(1)))
        assert masks.shape[0] == len(boxes) == len(a.read_label(1))
    c = TextZoomLMDB(str(tmp_path / 'c' / 'train'))
    a = TextZoomLMDB(str(tmp_path / 'a' / 'train'))
    assert [a.read_label(i) for i in range(1, 41)] != [c.read_label(i) for i in range(1, 41)]
    # The dataset class reads it like real TextZoom, with the subset names.
    ds = TextZoomDataset(str(tmp_path / 'a' / 'test' / 'hard'))
    assert len(ds) <= 12 and ds.get_data_info(0)['subset'] == 'hard'
    # A rerun skips finished splits.
    res = subprocess.run([sys.executable, TOOL, str(tmp_path / 'a'), '--num-train', '40', '--num-test', '12',
                          '--seed', '5', '--workers', '1'], capture_output=True, text=True)
    assert res.stdout.count('skipped') == 4


def _only(monkeypatch, effect):
    """Scene renderer with ``effect`` on every sample and the other effects off."""
    from glyphsr_mm.datasets import synthetic_text
    monkeypatch.setattr(synthetic_text, 'SCENE_EFFECTS', {k: float(k == effect) for k in synthetic_text.SCENE_EFFECTS})
    return SyntheticTextRenderer(scene=True)


def _bend(s):
    """How far the middle character's box centre lies off the line through the first and last ones (HR px)."""
    ys = [(y0 + y1) / 2 for _, y0, _, y1 in s.boxes]
    return abs((ys[0] + ys[-1]) / 2 - ys[len(ys) // 2])


def test_scene_curve_bends_the_baseline_and_keeps_masks_exact(monkeypatch, renderer):
    curved = _only(monkeypatch, 'curve')
    bends, flat = [], []
    for seed in range(8):
        s = curved.render(np.random.default_rng(seed), 'easy', label='HOMEWORK')
        np.testing.assert_array_equal(s.char_masks.any(0), s.alpha >= 0.5)
        for m, (x0, y0, x1, y1) in zip(s.char_masks, s.boxes):
            ys, xs = np.nonzero(m)
            assert x0 <= xs.min() and xs.max() < x1 and y0 <= ys.min() and ys.max() < y1
        bends.append(_bend(s))
        flat.append(_bend(renderer.render(np.random.default_rng(seed), 'easy', label='HOMEWORK')))
    # A perspective warp keeps the character centres on a line; the arc does not.
    assert max(flat) <= 1.0, flat
    assert max(bends) > 3.0 and np.median(bends) > 1.0, bends


def test_scene_neighbour_lines_are_drawn_but_not_masked(monkeypatch, renderer):
    near = _only(monkeypatch, 'neighbours')

    def stray_ink(s):
        """Share of pixels away from the word (2 px) that have the word's colour."""
        import cv2
        word = s.char_masks.any(0)
        fg = np.median(s.hr[s.alpha > 0.9].astype(float), axis=0)
        away = ~cv2.dilate(word.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        return float((np.abs(s.hr[away].astype(float) - fg).max(1) < 25).mean())

    with_lines, without = [], []
    for seed in range(10):
        s = near.render(np.random.default_rng(seed), 'easy', label='Word')
        np.testing.assert_array_equal(s.char_masks.any(0), s.alpha >= 0.5)
        with_lines.append(stray_ink(s))
        without.append(stray_ink(renderer.render(np.random.default_rng(seed), 'easy', label='Word')))
    # Lines above a word can be cut to nothing (no descenders), so not every sample shows one.
    assert sum(v > 0.005 for v in with_lines) >= 5 and max(without) < 0.002, (with_lines, without)


def test_scene_flag_changes_only_scene_data(tmp_path):
    res = subprocess.run([sys.executable, TOOL, str(tmp_path / 's'), '--num-train', '6', '--num-test', '2', '--seed',
                          '5', '--workers', '1', '--scene'], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    _gen(tmp_path / 'p', 5, 1)
    s, p = TextZoomLMDB(str(tmp_path / 's' / 'train')), TextZoomLMDB(str(tmp_path / 'p' / 'train'))
    assert len(s) == 6
    assert [s.get(b'image_hr-%09d' % i) for i in range(1, 7)] != [p.get(b'image_hr-%09d' % i) for i in range(1, 7)]
    for i in range(1, 7):
        assert decode_masks(s.get(glyph_key(i))).shape[0] == len(s.read_label(i))


def test_clean_fraction_sharpens_training_lr_only(tmp_path):
    from PIL import Image
    res = subprocess.run([sys.executable, TOOL, str(tmp_path / 'c'), '--num-train', '40', '--num-test', '12', '--seed',
                          '5', '--workers', '1', '--clean-fraction', '1'], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    _gen(tmp_path / 'p', 5, 1)
    for split in ('test/easy', 'test/medium', 'test/hard'):  # test strengths do not change
        c, p = TextZoomLMDB(str(tmp_path / 'c' / split)), TextZoomLMDB(str(tmp_path / 'p' / split))
        assert all(c.get(b'image_lr-%09d' % i) == p.get(b'image_lr-%09d' % i) for i in range(1, 13))

    def err_to_clean_downscale(db):
        """Mean |LR - PIL's anti-aliased bicubic down-scale of HR| over the training pairs."""
        errs = []
        for i in range(1, 41):
            hr, lr = db.read_image('hr', i), db.read_image('lr', i).astype(np.float32)
            ref = np.asarray(Image.fromarray(hr).resize((64, 16), Image.BICUBIC), np.float32)
            errs.append(np.abs(lr - ref).mean())
        return float(np.mean(errs))

    clean = err_to_clean_downscale(TextZoomLMDB(str(tmp_path / 'c' / 'train')))
    plain = err_to_clean_downscale(TextZoomLMDB(str(tmp_path / 'p' / 'train')))
    assert clean < 0.6 * plain, (clean, plain)
    res = subprocess.run([sys.executable, TOOL, str(tmp_path / 'x'), '--clean-fraction', '1.5'], capture_output=True,
                         text=True)
    assert res.returncode == 2 and '--clean-fraction must be in [0, 1], got 1.5' in res.stderr, res.stderr


def test_evaluator_words_are_disjoint_from_the_sr_sets_and_the_set_is_deterministic(tmp_path):
    from glyphsr_mm.datasets.synthetic_text import evaluator_word_list, word_list
    sr_words, eval_words = set(word_list()), evaluator_word_list()
    assert len(eval_words) > 100000 and not sr_words & set(eval_words)
    res = subprocess.run([sys.executable, TOOL, str(tmp_path / 'e'), '--num-train', '24', '--num-test', '0', '--seed',
                          '5', '--workers', '1', '--words', 'evaluator', '--hr-effects'], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    _gen(tmp_path / 'p', 5, 1)
    e, p = TextZoomLMDB(str(tmp_path / 'e' / 'train')), TextZoomLMDB(str(tmp_path / 'p' / 'train'))
    labels = [e.read_label(i) for i in range(1, 25)]
    # a label is a word (maybe cased, with a digit suffix or punctuation) or a number: its letters name a word
    words = {''.join(c for c in lab if c.isalpha()).lower() for lab in labels} - {''}
    assert words and not words & sr_words and words <= set(eval_words)
    again = subprocess.run([sys.executable, TOOL, str(tmp_path / 'e2'), '--num-train', '24', '--num-test', '0',
                            '--seed', '5', '--workers', '2', '--words', 'evaluator', '--hr-effects'],
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    e2 = TextZoomLMDB(str(tmp_path / 'e2' / 'train'))
    assert all(e.get(b'image_hr-%09d' % i) == e2.get(b'image_hr-%09d' % i) for i in range(1, 25))


def test_hr_effects_blur_resample_noise_jpeg_per_sample(renderer, monkeypatch):
    from glyphsr_mm.datasets import synthetic_text as st
    hr = renderer.render(np.random.default_rng(0), 'easy', 'Station').hr

    def sharpness(img):
        return float(np.abs(np.diff(img.astype(np.float32), axis=1)).mean())
    outs = [st.hr_effects(hr, np.random.default_rng(s)) for s in range(40)]
    assert np.array_equal(outs[3], st.hr_effects(hr, np.random.default_rng(3)))  # a seed gives the same image
    changed = [not np.array_equal(o, hr) for o in outs]
    assert 0.6 < np.mean(changed) < 1.0  # each effect has its probability: some samples stay as rendered
    for effect in ('blur', 'resample'):
        only = {k: ((1.0 if k == effect else 0.0), v[1]) for k, v in st.HR_EFFECTS.items()}
        monkeypatch.setattr(st, 'HR_EFFECTS', only)
        assert sharpness(st.hr_effects(hr, np.random.default_rng(1))) < 0.8 * sharpness(hr), effect
