"""Training recognizers: the MMEngine model wrapper (CTC and teacher-forced CE) and tools/train_recognizer.py."""
import glob
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement

from glyphsr_mm.datasets.synthetic_text import SyntheticTextRenderer
from glyphsr_mm.models.recognizers import (ASTERRecognizer, MORANRecognizer, RecognizerTrainingModel,
                                           TBSRNTransformerRecognizer, TextZoomCRNN)
from tests.conftest import ROOT

WORDS = ['cafe', 'bar', 'hotel', 'taxi']


def batch():
    rng = np.random.default_rng(0)
    r = SyntheticTextRenderer()
    imgs = [torch.from_numpy(np.ascontiguousarray(r.render(rng, 'easy', w).hr)).permute(2, 0, 1) for w in WORDS]
    samples = [BaseDataElement(metainfo=dict(gt_text=w)) for w in WORDS]
    return imgs, samples


@pytest.mark.parametrize('make,loss_key', [
    (lambda: TextZoomCRNN(allow_random=True), 'loss_ctc'),
    (lambda: TextZoomCRNN(width=0.25, hidden=64, allow_random=True), 'loss_ctc'),
    (lambda: TBSRNTransformerRecognizer(width=0.0625, num_heads=4, layers=(1, 1, 1, 1), feature_pe=True,
                                        allow_random=True), 'loss_ce'),
    (lambda: ASTERRecognizer(width=0.25, decode='greedy', allow_random=True), 'loss_ce'),
    (lambda: MORANRecognizer(width=0.25, bidir=False, allow_random=True), 'loss_ce')])
def test_wrapper_loss_falls_on_a_fixed_batch(make, loss_key):
    torch.manual_seed(0)
    model = RecognizerTrainingModel(make())
    imgs, samples = batch()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    losses = []
    for _ in range(25):
        loss = model(imgs, samples, mode='loss')[loss_key]
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    model.eval()
    out = model(imgs, samples, mode='predict')
    assert [o['gt_text'] for o in out] == WORDS and all(isinstance(o['pred_text'], str) for o in out)


def test_train_recognizer_tool_end_to_end(tmp_path):
    data = tmp_path / 'synth'
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'dataset_converters', 'make_synthetic_textzoom.py'),
                    str(data), '--num-train', '64', '--num-test', '8', '--seed', '1'], check=True, cwd=ROOT,
                   capture_output=True)
    work = tmp_path / 'work'
    env = dict(os.environ, SYNTHETIC_TEXTZOOM_ROOT=str(data))
    res = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools', 'train_recognizer.py'),
         os.path.join(ROOT, 'configs', 'recognizers', 'tbsrn_transformer_w0.125_synthetic.py'), '--work-dir', str(work),
         '--cfg-options', 'train_cfg.max_iters=4', 'train_cfg.val_interval=2', 'train_dataloader.batch_size=8',
         'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
         'val_dataloader.num_workers=0', 'default_hooks.logger.interval=1',
         'param_scheduler.0.end=2', 'param_scheduler.1.begin=2', 'param_scheduler.1.T_max=2'],
        cwd=ROOT, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    best = glob.glob(str(work / 'best_recog_word_acc_textzoom_iter_*.pth'))
    assert best, os.listdir(work)
    rec = TBSRNTransformerRecognizer(width=0.125, num_heads=8, feature_pe=True, checkpoint=best[0]).eval()
    assert len(rec.predict(torch.rand(2, 3, 32, 128))) == 2


def test_teacher_forcing_targets_of_aster_and_moran():
    aster = ASTERRecognizer(width=0.25, allow_random=True)
    tokens, targets = aster.encode_labels(['Ab!', 'x'])
    eos = aster.charset.eos
    assert targets.tolist() == [[aster.charset.index[c] for c in 'Ab!'] + [eos], [aster.charset.index['x'], eos, -100,
                                                                                  -100]]
    assert tokens.tolist()[1] == [aster.charset.index['x'], eos, eos, eos]  # padding feeds EOS, ignored by the loss
    logits, attn = aster.teacher_forced(torch.rand(2, 3, 32, 128), ['Ab!', 'x'], tokens=tokens)
    assert logits.shape == (2, 4, 97) and attn.shape[:2] == (2, 4)
    moran = MORANRecognizer(width=0.25, bidir=False, allow_random=True)
    tokens, targets = moran.encode_labels(['A-1', 'zz'])  # TextZoom's protocol: lower-case alphanumerics
    assert targets.tolist() == [[10, 1, 36], [35, 35, 36]]
    logits, attn = moran.teacher_forced(torch.rand(2, 3, 32, 128), ['A-1', 'zz'], tokens=tokens)
    assert logits.shape == (2, 3, 37) and torch.allclose(attn.sum(-1), torch.ones(2, 3))


@pytest.mark.parametrize('make', [lambda w: TextZoomCRNN(width=w, allow_random=True),
                                  lambda w: ASTERRecognizer(width=w, allow_random=True),
                                  lambda w: MORANRecognizer(width=w, bidir=False, allow_random=True)])
def test_narrow_widths_keep_parameter_names_and_predict(make):
    full, narrow = make(1.0), make(0.25)
    assert list(full.state_dict()) == list(narrow.state_dict())
    assert sum(p.numel() for p in narrow.parameters()) < 0.5 * sum(p.numel() for p in full.parameters())
    assert len(narrow.eval().predict(torch.rand(2, 3, 32, 128))) == 2


@pytest.mark.parametrize('make,features', [
    (lambda: ASTERRecognizer(width=0.25, decode='greedy', allow_random=True), 'encoder'),  # B x T x C
    (lambda: MORANRecognizer(width=0.25, bidir=False, allow_random=True), 'ASRN.rnn')])  # T x B x C
def test_auxiliary_ctc_on_a_named_encoder_sequence(make, features):
    torch.manual_seed(0)
    model = RecognizerTrainingModel(make(), aux_ctc_weight=0.5, aux_ctc_features=features)
    imgs, samples = batch()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    first = last = None
    for _ in range(15):
        losses = model(imgs, samples, mode='loss')
        assert set(losses) == {'loss_ce', 'loss_aux_ctc'}
        total = sum(losses.values())
        opt.zero_grad()
        total.backward()
        opt.step()
        first, last = first or {k: v.item() for k, v in losses.items()}, {k: v.item() for k, v in losses.items()}
    assert last['loss_aux_ctc'] < 0.5 * first['loss_aux_ctc'] and last['loss_ce'] < first['loss_ce']
    # the head is the wrapper's: the recognizer's own weights keep the reference layout
    assert not any(k.startswith('aux') for k in model.recognizer.state_dict())
    with pytest.raises(ValueError, match="has no submodule 'decoder.nope'"):
        RecognizerTrainingModel(make(), aux_ctc_weight=0.5, aux_ctc_features='decoder.nope')
