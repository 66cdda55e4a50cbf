import numpy as np
import pytest

from glyphsr_mm.transforms import AddTextMaskChannel, text_mask


def test_text_mask_dark_pixels_are_one():
    img = np.full((4, 6, 3), 200, np.uint8)
    img[1:3, 2:4] = 10  # dark text on a light background
    m = text_mask(img)
    assert m.shape == (4, 6, 1) and m.dtype == np.uint8
    assert m[..., 0].tolist() == (np.pad(np.ones((2, 2)), ((1, 1), (2, 2))) > 0).astype(int).tolist()


def test_text_mask_float_matches_uint8():
    img = np.random.default_rng(0).integers(0, 256, (16, 64, 3), dtype=np.uint8)
    agree = (text_mask(img)[..., 0] == text_mask(img.astype(np.float32) / 255)[..., 0]).mean()
    assert agree > 0.98  # PIL rounds the luma; float does not


def test_add_channel_values_and_errors():
    img = np.random.default_rng(1).integers(0, 256, (16, 64, 3), dtype=np.uint8)
    out = AddTextMaskChannel(keys='img')(dict(img=img.copy()))
    assert out['img'].shape == (16, 64, 4)
    assert set(np.unique(out['img'][..., 3])) == {0, 255}
    np.testing.assert_array_equal(out['img'][..., :3], img)
    with pytest.raises(ValueError, match=r"results\['img'\] must be H x W x 3"):
        AddTextMaskChannel(keys='img')(dict(img=np.zeros((4, 4, 4), np.uint8)))
