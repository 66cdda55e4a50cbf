import numpy as np
import pytest

from glyphsr_mm.datasets import TextZoomLMDBWriter
from glyphsr_mm.datasets.mask_codec import GLYPH_PREFIX, encode_masks
from glyphsr_mm.datasets.synthetic_text import SyntheticTextRenderer, pinned_fonts
from glyphsr_mm.transforms import LoadTextZoomGlyphMasks, TextRandomAffine


def _iou(a, b):
    return (a & b).sum() / max((a | b).sum(), 1)


def _aligned(a, b):
    """IoU of a and b, asserting that no 1-pixel shift of b overlaps a better (i.e. they are aligned)."""
    at_zero = _iou(a, b)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dx or dy:
                assert _iou(a, np.roll(np.roll(b, dy, 0), dx, 1)) < at_zero, (dy, dx)
    return at_zero


def test_same_warp_for_lr_hr_and_masks():
    # A bold face: the IoU bounds below depend on stroke width, so the test fixes the font it measures.
    bold = [f for f in pinned_fonts() if f.endswith('DejaVuSans-Bold.ttf')]
    s = SyntheticTextRenderer(fonts=bold).render(np.random.default_rng(1), 'easy', label='Affine')
    import cv2
    hr_text = (s.alpha[..., None].repeat(3, 2) * 255).astype(np.uint8)  # image whose text is the mask
    lr_text = cv2.resize(hr_text, (64, 16), interpolation=cv2.INTER_AREA)
    aug = TextRandomAffine(max_rotate=5, max_shear=0.15, prob=1.0)
    np.random.seed(3)
    out = aug(dict(img=lr_text.copy(), gt=hr_text.copy(), gt_char_masks=s.char_masks.transpose(1, 2, 0).astype(np.uint8),
                   gt_line_mask=s.char_masks.any(0)[..., None].astype(np.uint8)))
    warped_hr_text = out['gt'][..., 0] >= 128
    # Image (bilinear) and masks (nearest) moved together; thin strokes keep the IoU of the two below 1.
    assert _aligned(warped_hr_text, out['gt_line_mask'][..., 0] > 0) > 0.7
    assert _iou(warped_hr_text, s.alpha >= 0.5) < 0.6  # ... and they did move
    up = cv2.resize(out['img'], (128, 32), interpolation=cv2.INTER_LINEAR)[..., 0] >= 128
    # LR got the same geometry at its own scale (aligned; its 2x-coarser strokes bound the IoU).
    assert _aligned(up, warped_hr_text) > 0.45
    assert out['img'].shape == (16, 64, 3) and out['gt_char_masks'].shape == (32, 128, len('Affine'))
    assert _iou(out['gt_char_masks'].any(2), out['gt_line_mask'][..., 0] > 0) > 0.99


def test_prob_zero_is_identity():
    img = np.random.default_rng(0).integers(0, 255, (16, 64, 3), np.uint8)
    out = TextRandomAffine(prob=0.0)(dict(img=img.copy()))
    np.testing.assert_array_equal(out['img'], img)


def test_load_glyph_masks_pads_and_unions(tmp_path):
    masks = np.zeros((3, 32, 128), bool)
    masks[0, 5:10, 5:10] = masks[2, 20:25, 50:60] = True
    path = str(tmp_path / 'train')
    with TextZoomLMDBWriter(path) as w:
        w.add('abc', lr=np.zeros((16, 64, 3), np.uint8), hr=np.zeros((32, 128, 3), np.uint8),
              extra={GLYPH_PREFIX: encode_masks(masks)})
        w.add('no', lr=np.zeros((16, 64, 3), np.uint8), hr=np.zeros((32, 128, 3), np.uint8))
    out = LoadTextZoomGlyphMasks(num_maps=16)(dict(lmdb_path=path, index=1))
    assert out['gt_char_masks'].shape == (32, 128, 16) and out['gt_char_masks'][..., 3:].sum() == 0
    np.testing.assert_array_equal(out['gt_char_masks'][..., :3].transpose(2, 0, 1).astype(bool), masks)
    np.testing.assert_array_equal(out['gt_line_mask'][..., 0].astype(bool), masks.any(0))
    # Packed by MMagic's PackInputs as C x H x W data.
    from mmagic.datasets.transforms import PackInputs
    packed = PackInputs(keys='img', data_keys=['gt_char_masks', 'gt_line_mask'])(
        dict(img=np.zeros((16, 64, 3), np.uint8), **{k: out[k] for k in ('gt_char_masks', 'gt_line_mask')}))
    assert tuple(packed['data_samples'].gt_char_masks.shape) == (16, 32, 128)
    assert tuple(packed['data_samples'].gt_line_mask.shape) == (1, 32, 128)
    assert 'gt_char_masks' not in LoadTextZoomGlyphMasks()(dict(lmdb_path=path, index=2))
    with pytest.raises(KeyError, match=r'train\[2\]: no glyph masks'):
        LoadTextZoomGlyphMasks(required=True)(dict(lmdb_path=path, index=2))


def test_glyph_masks_line_up_with_the_filtered_label(tmp_path):
    """Masks are stored per raw label character; with a filtered gt_text (no space, no '-') map t is gt_text[t],
    the character whose class GlyphLoss trains at position t."""
    from glyphsr_mm.models.losses.glyph_loss import glyph_class_targets
    raw = 'x-Y z'
    masks = np.zeros((len(raw), 32, 128), bool)
    for i in range(len(raw)):
        masks[i, 2 + 5 * i, 3] = True  # mask i marks pixel row 2 + 5i
    path = str(tmp_path / 'train')
    with TextZoomLMDBWriter(path) as w:
        w.add(raw, lr=np.zeros((16, 64, 3), np.uint8), hr=np.zeros((32, 128, 3), np.uint8),
              extra={GLYPH_PREFIX: encode_masks(masks)})
    out = LoadTextZoomGlyphMasks(num_maps=16)(dict(lmdb_path=path, index=1, gt_text_raw=raw, gt_text='xyz'))
    got = out['gt_char_masks'].transpose(2, 0, 1).astype(bool)
    np.testing.assert_array_equal(got[:3], masks[[0, 2, 4]])  # x, Y, z
    assert got[3:].sum() == 0
    assert glyph_class_targets(['xyz'], 16)[0, :3].tolist() == [33, 34, 35]  # x, y, z
    with pytest.raises(ValueError, match=r'train\[1\]: 5 glyph masks for the label .* cannot line them up'):
        LoadTextZoomGlyphMasks()(dict(lmdb_path=path, index=1, gt_text_raw=raw, gt_text='xq'))
