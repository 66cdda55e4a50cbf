"""Text-prior generator (frozen or fine-tuned recognizer, prior dropping) and the TP transformer."""
import pytest
import torch

from glyphsr_mm.models.losses import TextPriorLoss
from glyphsr_mm.models.recognizers import TextZoomCRNN
from glyphsr_mm.models.editors.glyphsr import TextPriorGenerator, TextPriorTransformer


def test_frozen_prior_has_no_grad_and_stays_in_eval():
    gen = TextPriorGenerator(TextZoomCRNN(allow_random=True), drop_prob=0.0).train()
    assert not gen.recognizer.training
    lr = torch.rand(2, 4, 16, 64)
    prior = gen(lr)
    assert prior.shape == (2, 37, 1, 26) and not prior.requires_grad
    assert torch.allclose(prior.sum(1), torch.ones(2, 1, 26), atol=1e-5)
    assert all(not p.requires_grad for p in gen.parameters())


def test_drop_zeroes_whole_samples_only_in_training():
    torch.manual_seed(0)
    gen = TextPriorGenerator(TextZoomCRNN(allow_random=True), drop_prob=0.5).train()
    prior = gen(torch.rand(64, 3, 16, 64))
    dropped = (prior.flatten(1).abs().sum(1) == 0)
    assert 10 < dropped.sum().item() < 54  # about half, whole samples
    gen.eval()
    assert (gen(torch.rand(8, 3, 16, 64)).flatten(1).abs().sum(1) > 0).all()
    with pytest.raises(ValueError):
        TextPriorGenerator(TextZoomCRNN(allow_random=True), drop_prob=1.5)


def test_finetuned_prior_learns_with_the_tp_loss():
    torch.manual_seed(0)
    gen = TextPriorGenerator(TextZoomCRNN(allow_random=True), finetune=True).train()
    assert gen.recognizer.training
    hr = torch.rand(2, 3, 32, 128)
    lr = torch.nn.functional.interpolate(hr, size=(16, 64), mode='area')
    loss = TextPriorLoss()(gen(lr), gen(hr, drop=False))['loss_tp']
    loss.backward()
    assert gen.recognizer.cnn.conv0.weight.grad is not None


def test_tp_transformer_output_size():
    tp = TextPriorTransformer(95, 32)
    assert tp(torch.rand(2, 95, 1, 26), (16, 64)).shape == (2, 32, 16, 64)
    assert tp(torch.rand(2, 95, 1, 26)).shape[1] == 32


def test_prior_memo_reads_each_input_once_and_gives_the_same_prior():
    torch.manual_seed(0)
    plain = TextPriorGenerator(TextZoomCRNN(allow_random=True), drop_prob=0.0).eval()
    memo = TextPriorGenerator(plain.recognizer, drop_prob=0.0, memo_mib=1).eval()
    calls = []
    read = memo.read
    memo.read = lambda x: calls.append(x.shape[0]) or read(x)
    a, b = torch.rand(4, 4, 16, 64), torch.rand(2, 4, 16, 64)
    memo(a)
    out = memo(torch.cat([b, a[1:3]]))  # two new inputs, two seen ones
    assert calls == [4, 2]
    torch.testing.assert_close(out, plain(torch.cat([b, a[1:3]])), atol=1e-6, rtol=1e-5)
    with pytest.raises(ValueError, match='memo_mib needs a frozen recognizer'):
        TextPriorGenerator(TextZoomCRNN(allow_random=True), finetune=True, memo_mib=1)
