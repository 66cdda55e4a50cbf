"""Glyph sheets: panel layout, value ranges, and the character-map overlay colours."""
import numpy as np
import pytest
import torch

from glyphsr_mm.utils.glyph_sheet import char_overlay_panel, glyph_sheet


def test_layout_and_value_range():
    lr = [torch.full((4, 16, 64), 255.)]  # a 4th (mask) channel is ignored
    sr = [torch.zeros(3, 32, 128)]
    hr = [torch.full((3, 32, 128), 127.5)]
    sheet = glyph_sheet(lr, sr, hr, gap=2)
    assert sheet.shape == (32, 3 * 128 + 2 * 2, 3) and sheet.dtype == np.uint8
    assert (sheet[:, :128] == 255).all() and (sheet[:, 130:258] == 0).all() and (sheet[:, 260:] == 128).all()
    assert (sheet[:, 128:130] == 255).all()  # white gap
    two = glyph_sheet([torch.ones(3, 16, 64)] * 2, [torch.ones(3, 32, 128)] * 2, value_range=1.)
    assert two.shape == (2 * 32 + 2, 2 * 128 + 2, 3) and (two == 255).all()
    with pytest.raises(ValueError, match='as many LR as SR'):
        glyph_sheet(lr, sr * 2)


def test_char_overlay_colours_the_strongest_map():
    maps = torch.zeros(3, 16, 64)
    maps[0, :, :20] = 0.9
    maps[1, :, 20:40] = 0.8
    maps[2, :, 20:40] = 0.7  # weaker than map 1 there
    bg = torch.ones(3, 32, 128)
    panel = char_overlay_panel(maps, bg)
    left, middle, right = panel[:, 16, 10], panel[:, 16, 60], panel[:, 16, 120]
    assert not torch.allclose(left, middle)  # different characters, different colours
    assert torch.allclose(right, torch.full((3, ), 0.5))  # below threshold: dimmed gray background
    only_first = char_overlay_panel(maps[:2], bg)
    assert torch.allclose(only_first[:, 16, 60], middle)  # map 2 never wins
