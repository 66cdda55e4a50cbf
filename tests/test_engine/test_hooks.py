"""The runner hooks (FiniteLossHook, SRImageSaverHook, GlyphVisualizationHook) and WordAccuracy."""
from types import SimpleNamespace

import pytest
import torch

from glyphsr_mm.engine import FiniteLossHook, NonFiniteLossError


def test_names_iteration_and_term():
    hook = FiniteLossHook()
    runner = SimpleNamespace(iter=41, epoch=2)
    hook.after_train_iter(runner, 3, outputs=dict(loss=torch.tensor(1.5), loss_mse=torch.tensor(1.0)))
    with pytest.raises(NonFiniteLossError, match=r'iteration 42 \(epoch 3, batch 3\): loss_glyph_char = nan; '
                                                 r'other terms: loss_mse = 1\b'):
        hook.after_train_iter(runner, 3, outputs=dict(loss_mse=torch.tensor(1.0),
                                                      loss_glyph_char=torch.tensor(float('nan'))))
    with pytest.raises(NonFiniteLossError, match='loss_hog = inf'):
        hook.after_train_iter(runner, 0, outputs=dict(loss_hog=float('inf')))
    hook.after_train_iter(runner, 0, outputs=dict(grad_norm=float('nan')))  # not a loss term
    hook.after_train_iter(runner, 0, outputs=None)


def _sample(index, rgb, subset='easy', label='Hi', with_maps=True):
    """An MMagic test-output sample as the GlyphSR restorer returns it (images BGR, 0-255)."""
    from mmagic.structures import DataSample
    bgr = rgb.flip(0).float()
    s = DataSample(gt_img=bgr, input=bgr[:, :16, :64])
    s.set_metainfo(dict(subset=subset, index=index, gt_text=label))
    out = DataSample(pred_img=bgr)
    if with_maps:
        out.set_tensor_data(dict(pred_line_map=torch.ones(1, 16, 64), pred_char_maps=torch.rand(16, 16, 64)))
    s.output = out
    return s


def test_sr_image_saver_writes_rgb_pngs_named_by_subset_and_index(tmp_path):
    import cv2
    import numpy as np
    from mmengine.logging import MMLogger

    from glyphsr_mm.engine import SRImageSaverHook
    g = torch.Generator().manual_seed(0)
    rgbs = [torch.randint(0, 256, (3, 32, 128), generator=g, dtype=torch.uint8) for _ in range(2)]
    hook = SRImageSaverHook(str(tmp_path / 'sr'))
    runner = SimpleNamespace(rank=0, world_size=1, logger=MMLogger.get_current_instance())
    hook.before_test(runner)
    hook.after_test_iter(runner, 0, outputs=[_sample(7, rgbs[0]), _sample(3, rgbs[1], subset='hard', label='ok')])
    hook.after_test(runner)
    for rgb, name in zip(rgbs, ('easy/000007.png', 'hard/000003.png')):
        saved = cv2.imread(str(tmp_path / 'sr' / name))[..., ::-1]  # cv2 reads BGR
        np.testing.assert_array_equal(saved, rgb.permute(1, 2, 0).numpy())
    assert (tmp_path / 'sr' / 'labels.tsv').read_text() == 'easy/000007.png\tHi\nhard/000003.png\tok\n'
    bad = _sample(1, rgbs[0])
    del bad.output.pred_img
    with pytest.raises(KeyError, match='sample 0 of batch 5 has no output.pred_img'):
        hook.after_test_iter(runner, 5, outputs=[bad])


def test_glyph_visualization_draws_the_first_batch_through_the_visualizer():
    from glyphsr_mm.engine import GlyphVisualizationHook
    drawn = []
    runner = SimpleNamespace(rank=0, iter=12, visualizer=SimpleNamespace(
        add_image=lambda name, image, step: drawn.append((name, image.shape, step))))
    g = torch.Generator().manual_seed(0)
    samples = [_sample(i, torch.randint(0, 256, (3, 32, 128), generator=g, dtype=torch.uint8)) for i in range(3)]
    hook = GlyphVisualizationHook(num_samples=2)
    hook.after_val_iter(runner, 1, outputs=samples)  # only the first batch is drawn
    assert drawn == []
    hook.after_val_iter(runner, 0, outputs=samples)
    one_row = GlyphVisualizationHook(num_samples=1)
    one_row.after_val_iter(runner, 0, outputs=samples)
    (name, two_rows, step), (_, row, _) = drawn
    assert name == 'glyph_sheet' and step == 12
    assert two_rows[1] == row[1] and two_rows[0] > row[0]  # one row per sample, same columns
    hook.after_test_iter(runner, 0, outputs=samples)  # on_test=False: nothing
    assert len(drawn) == 2
    no_maps = [_sample(0, torch.zeros(3, 32, 128, dtype=torch.uint8), with_maps=False)]
    hook.after_val_iter(runner, 0, outputs=no_maps)  # a model without GPM: LR | SR | HR only
    assert drawn[-1][1][1] < two_rows[1]
    del no_maps[0].output.pred_img
    with pytest.raises(KeyError, match="need 'input' and 'output.pred_img'"):
        hook.after_val_iter(runner, 0, outputs=no_maps)


def test_word_accuracy_per_mode():
    from glyphsr_mm.evaluation.metrics import WordAccuracy
    metric = WordAccuracy(modes=('textzoom', 'exact'))
    metric.process(None, [dict(pred_text='hello', gt_text='Hello!'), dict(pred_text='World', gt_text='World'),
                          dict(pred_text='abc', gt_text='abd'), dict(pred_text='a-1', gt_text='A1')])
    assert metric.compute_metrics(metric.results) == {'word_acc_textzoom': 75.0, 'word_acc_exact': 25.0}
    with pytest.raises(ValueError, match='unknown match mode'):
        WordAccuracy(modes=('fuzzy', ))
