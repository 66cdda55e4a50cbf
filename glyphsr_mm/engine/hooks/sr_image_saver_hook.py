"""Save every SR image of a test run as PNG (``tools/test.py --save-images DIR``)."""
import os
import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np
from mmengine.hooks import Hook

from glyphsr_mm.registry import HOOKS
from glyphsr_mm.utils.data_sample import sample_image, sample_name


@HOOKS.register_module()
class SRImageSaverHook(Hook):
    """Write ``output.pred_img`` of each test sample to ``{out_dir}/{subset}/{index:06d}.png`` (RGB PNG, 8 bit).

    Args:
        out_dir: Folder (created). Existing files of the same name are overwritten.
        channel_order: Channel order of ``pred_img`` in the data samples (MMagic eval: ``'BGR'``).
        save_labels: Also write ``labels.tsv`` (file, label) in ``out_dir``.
    """

    priority = 'LOW'

    def __init__(self, out_dir: str, channel_order: str = 'BGR', save_labels: bool = True) -> None:
        self.out_dir, self.channel_order, self.save_labels = out_dir, channel_order, save_labels
        self._labels = []

    def before_test(self, runner) -> None:
        os.makedirs(self.out_dir, exist_ok=True)
        self._labels = []

    def after_test_iter(self, runner, batch_idx: int, data_batch=None, outputs: Optional[Sequence] = None) -> None:
        for i, sample in enumerate(outputs or []):
            img = sample_image(sample, 'pred_img', self.channel_order)
            if img is None:
                raise KeyError(f'SRImageSaverHook: test sample {i} of batch {batch_idx} has no output.pred_img')
            name = sample_name(sample, f'rank{runner.rank}_batch{batch_idx:06d}_{i:03d}') + '.png'
            path = osp.join(self.out_dir, name)
            os.makedirs(osp.dirname(path), exist_ok=True)
            rgb = img.clamp(0, 255).round().byte().permute(1, 2, 0).numpy()
            if not cv2.imwrite(path, np.ascontiguousarray(rgb[..., ::-1])):
                raise OSError(f'SRImageSaverHook: could not write {path}')
            label = sample.get('gt_text') if hasattr(sample, 'get') else None
            self._labels.append((name, label or ''))

    def after_test(self, runner) -> None:
        if self.save_labels and self._labels:
            suffix = '' if runner.world_size == 1 else f'.rank{runner.rank}'
            with open(osp.join(self.out_dir, f'labels{suffix}.tsv'), 'w', encoding='utf-8') as f:
                f.writelines(f'{n}\t{t}\n' for n, t in self._labels)
        runner.logger.info(f'SRImageSaverHook: {len(self._labels)} SR images written to {self.out_dir}')
