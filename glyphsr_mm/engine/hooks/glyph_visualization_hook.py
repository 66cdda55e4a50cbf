"""Validation sheets LR | SR | HR | line map | character-map overlay, through the runner's visualizer."""
from typing import Optional, Sequence

from mmengine.hooks import Hook

from glyphsr_mm.registry import HOOKS
from glyphsr_mm.utils.glyph_sheet import glyph_sheet
from glyphsr_mm.utils.data_sample import sample_image


@HOOKS.register_module()
class GlyphVisualizationHook(Hook):
    """After each validation (and test), draw the first ``num_samples`` samples of the first batch as one sheet
    (rows: LR bicubic | SR | HR | predicted line map | predicted character maps, one colour per map) and hand it
    to ``runner.visualizer.add_image`` under ``name``: with ``LocalVisBackend`` it lands in
    ``{work_dir}/{timestamp}/vis_data/vis_image/``, with ``TensorboardVisBackend`` in TensorBoard (the validation
    scalars reach TensorBoard through MMEngine's ``LoggerHook``).

    Args:
        num_samples: Rows per sheet.
        name: Image name in the visualizer.
        channel_order: Channel order of the images in the data samples (MMagic eval: ``'BGR'``).
        on_test: Also draw during ``runner.test()``.
    """

    priority = 'NORMAL'

    def __init__(self, num_samples: int = 8, name: str = 'glyph_sheet', channel_order: str = 'BGR',
                 on_test: bool = False) -> None:
        if num_samples < 1:
            raise ValueError(f'num_samples must be >= 1, got {num_samples}')
        self.num_samples, self.name, self.channel_order, self.on_test = num_samples, name, channel_order, on_test

    def _draw(self, runner, batch_idx: int, outputs: Optional[Sequence], step: int) -> None:
        if batch_idx != 0 or not outputs or runner.rank != 0:
            return
        samples = list(outputs)[:self.num_samples]
        get = lambda key: [sample_image(s, key, self.channel_order) for s in samples]  # noqa: E731
        lr, sr, hr = get('input'), get('pred_img'), get('gt_img')
        if any(x is None for x in sr) or any(x is None for x in lr):
            raise KeyError("GlyphVisualizationHook: the data samples need 'input' and 'output.pred_img' "
                           '(set by the GlyphSR restorer)')
        maps = lambda key: [s.output.get(key) for s in samples]  # noqa: E731
        line, chars = maps('pred_line_map'), maps('pred_char_maps')
        sheet = glyph_sheet(lr, sr, None if any(x is None for x in hr) else hr,
                            None if any(x is None for x in line) else line,
                            None if any(x is None for x in chars) else chars)
        runner.visualizer.add_image(self.name, sheet, step=step)

    def after_val_iter(self, runner, batch_idx: int, data_batch=None, outputs: Optional[Sequence] = None) -> None:
        self._draw(runner, batch_idx, outputs, runner.iter)

    def after_test_iter(self, runner, batch_idx: int, data_batch=None, outputs: Optional[Sequence] = None) -> None:
        if self.on_test:
            self._draw(runner, batch_idx, outputs, runner.iter)
