"""Reading images out of MMagic's evaluation data samples (shared by the hooks)."""
from typing import Optional

import torch


def _get(sample, key: str):
    return sample.get(key) if isinstance(sample, dict) else getattr(sample, key, None)


def sample_image(sample, key: str, channel_order: str = 'BGR') -> Optional[torch.Tensor]:
    """``key`` of a data sample (``pred_img``/``pred_*`` looked up in ``output``) as 3 x H x W RGB 0-255 floats.

    MMagic's eval-mode preprocessing and ``destruct`` leave ``gt_img``, ``input`` and ``pred_img`` in BGR.
    """
    src = _get(sample, 'output') if key.startswith('pred_') else sample
    img = _get(src, key) if src is not None else None
    if img is None:
        return None
    img = torch.as_tensor(img).detach().float().cpu()
    if img.shape[0] == 3 and channel_order.upper() == 'BGR':
        img = img.flip(0)
    return img


def sample_name(sample, default: str) -> str:
    """``{subset}/{index:06d}`` from the sample's meta keys, or ``default``."""
    subset, index = _get(sample, 'subset'), _get(sample, 'index')
    if index is None:
        return default
    return f'{subset}/{int(index):06d}' if subset else f'{int(index):06d}'
