"""Image sheets LR | SR | HR | line map | character-map overlay (validation hook, demo, reports).

Plain torch/numpy: images are C x H x W RGB tensors with values in [0, ``value_range``] (255 for MMagic's data
samples, 1 for network outputs) and a sheet is an H x W x 3 uint8 RGB array, one row per sample, every panel at
the SR size.
"""
import colorsys
from typing import Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F

#: Panel names in sheet order.
PANELS = ('LR', 'SR', 'HR', 'line map', 'char maps')


def _palette(n: int) -> torch.Tensor:
    """n well-separated colours (n x 3, [0, 1]): consecutive characters get distant hues."""
    golden = 0.618033988749895
    return torch.tensor([colorsys.hsv_to_rgb((i * golden) % 1.0, 0.85, 1.0) for i in range(n)])


def image_panel(img: torch.Tensor, size: Sequence[int], mode: str = 'bicubic', value_range: float = 1.) -> torch.Tensor:
    """C x h x w image in [0, value_range] -> 3 x H x W RGB in [0, 1] at ``size`` (resized with ``mode``)."""
    img = img.detach().float().cpu() / value_range
    if img.shape[0] == 1:
        img = img.expand(3, -1, -1)
    img = img[:3]
    if tuple(img.shape[-2:]) != tuple(size):
        kw = dict(align_corners=False) if mode != 'nearest' else {}
        img = F.interpolate(img[None], size=tuple(size), mode=mode, **kw)[0]
    return img.clamp(0, 1)


def line_map_panel(line_map: torch.Tensor, size: Sequence[int]) -> torch.Tensor:
    """1 x h x w map (trained towards a 0/1 mask) -> 3 x H x W gray image, clamped to [0, 1]."""
    return image_panel(line_map.float().clamp(0, 1), size, mode='bilinear')


def char_overlay_panel(char_maps: torch.Tensor, background: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """Colour each pixel by the character map that responds most (where that response exceeds ``threshold``)
    over a dimmed gray copy of ``background`` (3 x H x W in [0, 1])."""
    size = background.shape[-2:]
    maps = char_maps.detach().float().cpu()
    if tuple(maps.shape[-2:]) != tuple(size):
        maps = F.interpolate(maps[None], size=tuple(size), mode='bilinear', align_corners=False)[0]
    best, idx = maps.max(0)
    colours = _palette(maps.shape[0])[idx].permute(2, 0, 1)  # 3 x H x W
    gray = background.mean(0, keepdim=True).expand(3, -1, -1) * 0.5
    on = (best > threshold).float()[None]
    return gray * (1 - on) + (0.35 * gray + 0.65 * colours) * on


def glyph_sheet(lr: Sequence[torch.Tensor], sr: Sequence[torch.Tensor], hr: Optional[Sequence[torch.Tensor]] = None,
                line_maps: Optional[Sequence[torch.Tensor]] = None, char_maps: Optional[Sequence[torch.Tensor]] = None,
                value_range: float = 255., gap: int = 2) -> np.ndarray:
    """One row per sample: LR (bicubic to the SR size) | SR | HR | line map | char-map overlay.

    Args:
        lr, sr: Per-sample RGB images (C x H x W in [0, value_range]; a 4th mask channel is ignored).
        hr: Ground truth, or None (demo on images without HR): the panel is left out.
        line_maps, char_maps: The GPM's predicted maps (1 x h x w, L x h x w), or None: panels left out.
        value_range: The images' maximum value (255: MMagic data samples; 1: network outputs).
        gap: White pixels between panels and rows.

    Returns:
        H x W x 3 uint8 RGB array.
    """
    if len(lr) != len(sr) or not len(sr):
        raise ValueError(f'need as many LR as SR images (got {len(lr)} and {len(sr)}), at least one')
    rows = []
    for i in range(len(sr)):
        size = sr[i].shape[-2:]
        s = image_panel(sr[i], size, value_range=value_range)
        panels = [image_panel(lr[i], size, value_range=value_range), s]
        if hr is not None:
            panels.append(image_panel(hr[i], size, value_range=value_range))
        if line_maps is not None:
            panels.append(line_map_panel(line_maps[i], size))
        if char_maps is not None:
            panels.append(char_overlay_panel(char_maps[i], s))
        rows.append(panels)
    return tile(rows, gap)


def tile(rows: Sequence[Sequence[torch.Tensor]], gap: int = 2) -> np.ndarray:
    """Panels (3 x H x W in [0, 1]) laid out row by row with white gaps -> H x W x 3 uint8 RGB array."""
    lines = []
    for panels in rows:
        line = [torch.ones(3, panels[0].shape[1], gap)] * (2 * len(panels) - 1)
        line[0::2] = panels
        lines.append(torch.cat(line, dim=2))
    width = max(r.shape[2] for r in lines)
    lines = [F.pad(r, (0, width - r.shape[2]), value=1.0) for r in lines]
    out = [torch.ones(3, gap, width)] * (2 * len(lines) - 1)
    out[0::2] = lines
    sheet = torch.cat(out, dim=1)
    return (sheet.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
