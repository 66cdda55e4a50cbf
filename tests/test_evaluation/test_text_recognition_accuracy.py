"""TextRecognitionAccuracy: comparison modes, per-subset / average bookkeeping, reference rows, ranks."""
import os

import pytest
import torch

pytest.importorskip('mmagic')
from glyphsr_mm.evaluation.metrics.text_recognition_accuracy import TextRecognitionAccuracy, metric_name  # noqa: E402


class LookupRecognizer:
    """Reads the red channel of pixel (0, 0) of an RGB [0, 1] image as an index into ``table``."""

    def __init__(self, table):
        self.table = list(table)
        self.calls = 0

    def predict(self, images):
        self.calls += 1
        assert images.dim() == 4 and images.shape[1] == 3 and 0 <= images.min() and images.max() <= 1
        return [self.table[int(round(float(v) * 255))] for v in images[:, 0, 0, 0]]


def bgr(value, size=(32, 128)):
    """A constant 3 x H x W 0-255 image whose red channel is ``value`` (BGR order: red is the last channel)."""
    img = torch.full((3, *size), 7.)
    img[2] = value
    return img


def sample(sr_id, gt_text, subset='easy', hr_id=None, lr_id=None, index=None):
    s = dict(output=dict(pred_img=bgr(sr_id)), gt_text=gt_text, subset=subset)
    if hr_id is not None:
        s['gt_img'] = bgr(hr_id)
    if lr_id is not None:
        s['input'] = bgr(lr_id, (16, 64))
    if index is not None:
        s.update(lmdb_path='/data/test/' + subset, index=index)
    return s


def run(metric, batches):
    for b in batches:
        metric.process(None, b)
    return metric.compute_metrics(metric.results)


def test_modes_on_fixed_predictions():
    preds = ['Hello', 'hello!', 'HELLO', '', 'café', 'cafe\u0301', 'a_b']
    labels = ['hello', 'hello', 'hello', 'x', 'café', 'café', 'ab']
    rec = LookupRecognizer(preds)
    modes = ('textzoom', 'exact', 'ignore_case', 'ignore_case_symbol')
    m = TextRecognitionAccuracy(dict(R=rec), mode=modes)
    out = run(m, [[sample(i, t) for i, t in enumerate(labels)]])
    # textzoom: lower-cased ASCII alphanumerics: Hello, hello!, HELLO, a_b match; 'café' filters to 'caf' both ways.
    # exact: only the two unicode spellings of café (NFC-equal). ignore_case: +Hello, HELLO.
    # ignore_case_symbol: + hello!, a_b (underscore is a symbol).
    expected = {'textzoom': 6, 'exact': 2, 'ignore_case': 4, 'ignore_case_symbol': 6}
    for mode, hits in expected.items():
        assert out[f'R/easy/{metric_name(mode)}'] == pytest.approx(100 * hits / 7), mode
    assert metric_name('textzoom') == 'word_acc' and metric_name('ignore_case', 'LR') == 'word_acc_ignore_case_LR'


def test_subsets_paper_average_and_sample_weighted_average_across_process_calls():
    # hits: easy 2/3, medium 0/1, hard 2/2 -> average (the paper's: mean of the subsets) 55.6, weighted 4/6
    table = ['ok', 'no']
    batches = [[sample(0, 'ok', 'hard'), sample(1, 'ok', 'easy')],
               [sample(0, 'ok', 'easy'), sample(1, 'ok', 'medium')],
               [sample(0, 'ok', 'easy'), sample(0, 'ok', 'hard')]]
    m = TextRecognitionAccuracy(dict(A=LookupRecognizer(table), B=LookupRecognizer(['ok', 'ok'])))
    m.dataset_meta = dict(subsets=['easy', 'medium', 'hard'])
    out = run(m, batches)
    assert list(out)[:5] == ['A/easy/word_acc', 'A/medium/word_acc', 'A/hard/word_acc', 'A/average/word_acc',
                             'A/weighted/word_acc']
    assert out['A/easy/word_acc'] == pytest.approx(200 / 3)
    assert out['A/medium/word_acc'] == 0 and out['A/hard/word_acc'] == 100
    assert out['A/average/word_acc'] == pytest.approx((200 / 3 + 0 + 100) / 3)
    assert out['A/weighted/word_acc'] == pytest.approx(400 / 6)
    assert out['B/average/word_acc'] == 100 and out['B/weighted/word_acc'] == 100
    assert out['average/word_acc'] == pytest.approx(((200 / 3 + 100) / 3 + 100) / 2)


def test_reference_rows_read_lr_bicubic_and_hr_and_are_cached():
    table = ['sr', 'lr', 'hr', 'zz']
    rec = LookupRecognizer(table)
    m = TextRecognitionAccuracy(dict(R=rec), rows=('HR', 'SR', 'LR'))
    batch = [sample(0, 'sr', lr_id=1, hr_id=2, index=1), sample(0, 'lr', lr_id=1, hr_id=3, index=2)]
    out = run(m, [batch])
    assert out['R/easy/word_acc'] == 50 and out['R/easy/word_acc_LR'] == 50 and out['R/easy/word_acc_HR'] == 0
    assert rec.calls == 3 and m.results[0]['pred'] == {'R/LR': 'lr', 'R/SR': 'sr', 'R/HR': 'hr'}
    m.results.clear()
    run(m, [batch])  # a second validation reads only SR again
    assert rec.calls == 4


def test_gap_closed_keys_with_all_three_rows():
    table = ['a', 'b', 'c', 'd']
    # (SR, gt, LR, HR) reading ids: bicubic reads 1 of 4, SR 2, HR 3 -> SR closes (50 - 25) / (75 - 25) of the gap
    batch = [sample(sr, table[gt], lr_id=lr, hr_id=hr, index=i)
             for i, (sr, gt, lr, hr) in enumerate([(0, 0, 0, 0), (1, 1, 3, 1), (3, 2, 3, 2), (3, 2, 3, 3)], 1)]
    out = run(TextRecognitionAccuracy(dict(R=LookupRecognizer(table)), rows=('LR', 'SR', 'HR')), [batch])
    assert (out['R/easy/word_acc_LR'], out['R/easy/word_acc'], out['R/easy/word_acc_HR']) == (25, 50, 75)
    assert out['R/average/gap_closed'] == pytest.approx(50.0) and out['R/easy/gap_closed'] == pytest.approx(50.0)
    no_ref = run(TextRecognitionAccuracy(dict(R=LookupRecognizer(table)), rows=('SR', )), [batch])
    assert not any(k.endswith('gap_closed') for k in no_ref)


def test_lr_reaches_the_recognizers_at_its_own_size_without_upsample_lr():
    sizes = []

    class SizeRecognizer(LookupRecognizer):
        def predict(self, images):
            sizes.append(tuple(images.shape[-2:]))
            return super().predict(images)

    batch = [sample(0, 'lr', lr_id=1, hr_id=1, index=1)]
    run(TextRecognitionAccuracy(dict(R=SizeRecognizer(['sr', 'lr'])), rows=('LR', ), upsample_lr=False), [batch])
    run(TextRecognitionAccuracy(dict(R=SizeRecognizer(['sr', 'lr'])), rows=('LR', )), [batch])
    assert sizes == [(16, 64), (32, 128)]


def test_clear_errors():
    rec = LookupRecognizer(['a'])
    m = TextRecognitionAccuracy(dict(R=rec), rows=('SR', 'HR'))
    with pytest.raises(KeyError, match=r"/data/test/easy#5 has no 'gt_text'"):
        m.process(None, [dict(output=dict(pred_img=bgr(0)), lmdb_path='/data/test/easy', index=5)])
    with pytest.raises(KeyError, match="no 'gt_img'"):
        m.process(None, [sample(0, 'a')])
    with pytest.raises(ValueError, match='no samples'):
        m.compute_metrics([])
    with pytest.raises(ValueError, match='comparison mode'):
        TextRecognitionAccuracy(dict(R=rec), mode='fuzzy')
    with pytest.raises(ValueError, match='rows'):
        TextRecognitionAccuracy(dict(R=rec), rows=('SR', 'Bicubic'))
    with pytest.raises(TypeError, match='predict'):
        TextRecognitionAccuracy(dict(R=object()))


def test_builds_recognizers_from_configs_and_reads_rgb():
    """A config-built recognizer runs on the batch; BGR input is flipped to RGB before it reads."""
    import glyphsr_mm  # noqa: F401  (registers the recognizers)
    m = TextRecognitionAccuracy(dict(CRNN=dict(type='TextZoomCRNN', allow_random=True)), recognizer_device='cpu')
    out = run(m, [[sample(10, 'x'), sample(20, 'y', 'hard')]])
    assert set(out) == {'CRNN/easy/word_acc', 'CRNN/hard/word_acc', 'CRNN/average/word_acc', 'CRNN/weighted/word_acc'}
    rgb = TextRecognitionAccuracy(dict(R=LookupRecognizer(['a'] * 10 + ['b'])), channel_order='RGB')
    img = torch.zeros(3, 32, 128)
    img[0] = 10  # red first: read as 10
    rgb.process(None, [dict(output=dict(pred_img=img), gt_text='b')])
    assert rgb.results[0]['pred']['R/SR'] == 'b'


def test_results_gathered_across_two_ranks_equal_one_process(tmp_path, torchrun):
    """Two torchrun ranks (gloo) each process half the batches; the gathered metrics equal one process's."""
    batches = [[sample(i % 2, 'ok', 'easy' if i % 3 else 'hard') for i in range(j, j + 3)] for j in range(0, 12, 3)]
    single = run(TextRecognitionAccuracy(dict(R=LookupRecognizer(['ok', 'no']))), batches)
    out = tmp_path / 'metrics.pt'
    torchrun(os.path.join(os.path.dirname(__file__), 'two_rank_worker.py'), out)
    gathered = torch.load(out)
    assert gathered['world_size'] == 2 and gathered['rank_samples'] == [6, 6]
    assert gathered['metrics'] == pytest.approx(single)
