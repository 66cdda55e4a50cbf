"""GlyphSR's losses: confusion-weighted CE, HOG, glyph, text-prior and pixel losses."""
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from glyphsr_mm.models.losses import (ConfusionWeightedCELoss, GlyphLoss, HOGLoss, PixelMSELoss, TextPriorLoss,
                                      confusion_weight_table, glyph_class_targets, hog_descriptor)
from tests.conftest import TEST_DATA

CONFUSION = os.path.join(TEST_DATA, 'tbsrn', 'confusion_62x62.npy')


def test_confusion_table_follows_the_recipe():
    raw = np.load(CONFUSION)
    t = confusion_weight_table(CONFUSION)
    assert t.shape == (37, 37)
    assert torch.all(t[0] == 1) and torch.all(t[:, 0] == 1)  # end-token row, padding column
    assert torch.all(torch.diagonal(t) == 1)  # zero distance -> inf -> 1
    digits = '0123456789'
    lower = 'abcdefghijklmnopqrstuvwxyz'
    src = {c: i for i, c in enumerate('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')}
    # digit row, digit column: plain inverse
    assert t[1 + 3, 1 + 7].item() == pytest.approx(1 / raw[src['3'], src['7']], rel=1e-5)
    # lower-case column folded with its upper-case twin by max
    g, c = 'a', 'q'
    expect = max(1 / raw[src[g], src[c]], 1 / raw[src[g], src[c.upper()]])
    assert t[11 + lower.index(g), 11 + lower.index(c)].item() == pytest.approx(expect, rel=1e-5)
    assert t[1 + digits.index('5'), 11 + lower.index('s')].item() == pytest.approx(
        max(1 / raw[src['5'], src['s']], 1 / raw[src['5'], src['S']]), rel=1e-5)


def test_weighted_ce_matches_definition_and_reduces_to_ce():
    torch.manual_seed(0)
    logits, target = torch.randn(6, 37), torch.tensor([1, 5, 11, 20, 0, 36])
    w = confusion_weight_table(CONFUSION)
    manual = -torch.stack([torch.log(w[g, g] * logits[i, g].exp() / (w[g] * logits[i].exp()).sum())
                           for i, g in enumerate(target)]).mean()
    assert ConfusionWeightedCELoss(CONFUSION)(logits, target).item() == pytest.approx(manual.item(), rel=1e-5)
    assert ConfusionWeightedCELoss(None)(logits, target).item() == pytest.approx(
        F.cross_entropy(logits, target).item(), rel=1e-6)
    padded = torch.cat([target, torch.tensor([-100, -100])])
    assert ConfusionWeightedCELoss(CONFUSION)(torch.cat([logits, torch.randn(2, 37)]), padded).item() == \
        pytest.approx(manual.item(), rel=1e-5)


def test_hog_descriptor_orientation_and_loss():
    img = torch.zeros(1, 3, 32, 128)
    img[..., :, 64:] = 1.0  # one vertical edge: horizontal gradient, orientation 0
    d = hog_descriptor(img, bins=9, cell=4)
    assert d.shape == (1, 9, 8, 32)
    edge_cells = d[0, :, :, 15:17].sum((1, 2))
    assert edge_cells.argmax().item() == 0
    sr = torch.rand(2, 3, 32, 128, requires_grad=True)
    assert HOGLoss()(sr.detach(), sr.detach())['loss_hog'].item() == 0.0
    loss = HOGLoss(loss_weight=0.1)(sr, torch.rand(2, 3, 32, 128))['loss_hog']
    loss.backward()
    assert loss.item() > 0 and torch.isfinite(sr.grad).all() and sr.grad.abs().sum() > 0


def test_hog_loss_runs_in_fp32_under_bf16_autocast_and_on_bf16_inputs():
    # under autocast the gradient convs return bf16 while the histogram was float32: scatter_add refused the mix
    sr, hr = torch.rand(2, 3, 32, 128, requires_grad=True), torch.rand(2, 3, 32, 128)
    ref = HOGLoss()(sr, hr)['loss_hog']
    with torch.autocast('cpu', dtype=torch.bfloat16):
        amp = HOGLoss()(sr, hr)['loss_hog']
    assert amp.dtype == torch.float32 and torch.allclose(amp, ref)
    amp.backward()
    assert torch.isfinite(sr.grad).all() and sr.grad.abs().sum() > 0
    low = HOGLoss()(sr.detach().bfloat16(), hr.bfloat16())['loss_hog']
    assert low.dtype == torch.float32 and torch.allclose(low, ref, rtol=0.05)


def test_glyph_loss_terms_and_class_targets():
    t = glyph_class_targets(['Ab', 'c-1'], num_maps=5)
    assert t.tolist() == [[10, 11, 36, 37, 37], [12, 38, 1, 36, 37]]
    gt_chars = torch.zeros(2, 4, 32, 128)
    gt_chars[:, 0, :, :32] = 1
    gt_line = gt_chars.amax(1, keepdim=True)
    line = F.interpolate(gt_line, size=(16, 64), mode='area')
    chars = F.interpolate(gt_chars, size=(16, 64), mode='area')
    logits = torch.full((2, 4, 39), -20.0)
    logits.scatter_(2, glyph_class_targets(['ab', 'cd'], 4).unsqueeze(2), 20.0)
    out = GlyphLoss()(line, chars, logits, gt_line, gt_chars, ['ab', 'cd'])
    assert set(out) == {'loss_glyph_line', 'loss_glyph_char', 'loss_glyph_cls'}
    assert all(v.item() < 1e-6 for v in out.values())
    only_line = GlyphLoss(use_char_masks=False)(line + 1, chars, logits, gt_line)
    assert set(only_line) == {'loss_glyph_line'} and only_line['loss_glyph_line'].item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match='character masks'):
        GlyphLoss()(line, chars, logits, gt_line, gt_chars[:, :2], ['ab', 'cd'])


def test_text_prior_and_pixel_losses():
    p = torch.rand(2, 37, 1, 26).softmax(1)
    assert TextPriorLoss()(p, p)['loss_tp'].item() == pytest.approx(0.0, abs=1e-5)
    q = torch.rand(2, 37, 1, 26).softmax(1)
    assert TextPriorLoss()(q, p)['loss_tp'].item() > 0
    a, b = torch.zeros(1, 4, 8, 8), torch.ones(1, 4, 8, 8)
    assert PixelMSELoss(loss_weight=2.0)(a, b)['loss_pix'].item() == pytest.approx(2.0)
    with pytest.raises(ValueError, match='differ in shape'):
        PixelMSELoss()(a, b[:, :3])


def test_recognition_loss_needs_a_ctc_recognizer_with_weights():
    from glyphsr_mm.models.losses import RecognitionLoss
    with pytest.raises(ValueError, match='CTC recognizer'):
        RecognitionLoss(dict(type='TBSRNTransformerRecognizer', width=0.125, allow_random=True))
    with pytest.raises(RuntimeError, match='has no weights'):
        RecognitionLoss(dict(type='TextZoomCRNN'))
