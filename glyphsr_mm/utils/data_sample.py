"""Reading fields and images out of MMagic's evaluation data samples (``DataSample`` or the dicts the Evaluator
passes to metrics); shared by the recognition metric and the hooks."""
from typing import Any, Optional

import torch


def sample_field(sample, key: str, default: Any = None) -> Any:
    """``sample[key]`` for dicts and ``DataSample``s (which expose ``get``), else the attribute, else ``default``."""
    if isinstance(sample, dict) or hasattr(sample, 'get'):
        return sample.get(key, default)
    return getattr(sample, key, default)


def sample_image(sample, key: str, channel_order: str = 'BGR',
                 in_output: Optional[bool] = None) -> Optional[torch.Tensor]:
    """``key`` of a data sample as a C x H x W float tensor on the CPU with RGB channel order (0-255, as stored),
    or None when absent. ``in_output`` (default: ``key`` starts with ``pred_``) looks it up in ``output``.

    MMagic's eval-mode preprocessing and ``destruct`` leave ``gt_img``, ``input`` and ``pred_img`` in BGR.
    """
    if in_output is None:
        in_output = key.startswith('pred_')
    src = sample_field(sample, 'output') if in_output else sample
    img = sample_field(src, key) if src is not None else None
    if img is None:
        return None
    img = torch.as_tensor(img).detach().float().cpu()
    if img.dim() == 3 and img.shape[0] == 3 and channel_order.upper() == 'BGR':
        img = img.flip(0)
    return img


def sample_name(sample, default: str) -> str:
    """``{subset}/{index:06d}`` from the sample's meta keys, or ``default``."""
    subset, index = sample_field(sample, 'subset'), sample_field(sample, 'index')
    if index is None:
        return default
    return f'{subset}/{int(index):06d}' if subset else f'{int(index):06d}'
