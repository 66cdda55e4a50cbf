"""The common recognizer interface: preprocessing, decoding, weights policy, batching, save/load."""
import pytest
import torch

from glyphsr_mm.models.recognizers import (ASTERRecognizer, Charset, MORANRecognizer, PARSeqRecognizer, Preprocess, TBSRNTransformerRecognizer,
                                           TextZoomCRNN)
from glyphsr_mm.utils.checkpoint import CheckpointMismatchError


def tiny_parseq(**kw):
    return PARSeqRecognizer(embed_dim=48, enc_num_heads=2, enc_depth=1, dec_num_heads=2, allow_random=True, **kw)


def tiny_tbsrn(**kw):
    return TBSRNTransformerRecognizer(width=0.0625, num_heads=4, layers=(1, 1, 1, 1), allow_random=True, **kw)


ARCHS = {'crnn': lambda **kw: TextZoomCRNN(allow_random=True, **kw), 'parseq': tiny_parseq, 'tbsrn': tiny_tbsrn,
         'aster': lambda **kw: ASTERRecognizer(max_len=8, allow_random=True, **kw),
         'moran': lambda **kw: MORANRecognizer(max_len=8, allow_random=True, **kw)}


def test_preprocess_gray_resize_and_range():
    img = torch.zeros(1, 4, 32, 128)
    img[:, 0], img[:, 1], img[:, 2], img[:, 3] = 1.0, 0.5, 0.25, 1.0  # 4th (mask) channel must be ignored
    out = Preprocess(size=(32, 100), gray=True)(img)
    assert out.shape == (1, 1, 32, 100)
    assert torch.allclose(out, torch.full_like(out, 0.299 + 0.587 * 0.5 + 0.114 * 0.25), atol=1e-5)
    out = Preprocess(size=None, gray=False, mean=0.5, std=0.5)(img)
    assert out.shape == (1, 3, 32, 128)
    assert torch.allclose(out[0, :, 0, 0], torch.tensor([1.0, 0.0, -0.5]))
    with pytest.raises(ValueError, match='B x C x H x W'):
        Preprocess()(torch.rand(3, 32, 128))


def test_charset_ctc_and_eos_decoding():
    ctc = Charset('abc', num_classes=4, offset=1, ctc=True, blank=0)
    assert ctc.decode(torch.tensor([[1, 1, 0, 1, 2, 2, 0, 3]])) == ['aabc']
    att = Charset('abc', num_classes=4, offset=1, eos=0)
    assert att.decode(torch.tensor([[3, 2, 0, 1]])) == ['cb']
    assert att.encode('cab!') == [3, 1, 2]


def test_no_weights_refuses_to_run():
    rec = TextZoomCRNN()
    with pytest.raises(RuntimeError, match='has no weights'):
        rec.predict(torch.rand(1, 3, 32, 128))


@pytest.mark.parametrize('arch', sorted(ARCHS))
def test_batched_equals_single_and_shapes(arch):
    torch.manual_seed(0)
    rec = ARCHS[arch]().eval()
    x = torch.rand(3, 3, 32, 128)
    probs = rec.probs(x)
    assert probs.dim() == 4 and probs.shape[0] == 3 and probs.shape[2] == 1
    assert probs.shape[1] == rec.charset.num_classes
    assert torch.allclose(probs.sum(1), torch.ones_like(probs.sum(1)), atol=1e-5)
    single = torch.cat([rec.probs(x[i:i + 1]) for i in range(3)])
    assert torch.allclose(probs, single, atol=1e-5)
    assert len(rec.predict(x)) == 3


@pytest.mark.parametrize('arch', sorted(ARCHS))
def test_save_load_round_trip_with_module_prefix(arch, tmp_path):
    torch.manual_seed(0)
    src = ARCHS[arch]().eval()
    path = tmp_path / 'w.pth'
    torch.save({'state_dict': {f'module.{k}': v for k, v in src.state_dict().items()}}, path)
    torch.manual_seed(1)
    dst = ARCHS[arch](checkpoint=str(path)).eval()
    x = torch.rand(2, 3, 32, 128)
    assert torch.equal(src.probs(x), dst.probs(x))


def test_mismatching_checkpoint_names_file_and_keys(tmp_path):
    sd = TextZoomCRNN(allow_random=True).state_dict()
    sd['rnn.9.extra'] = torch.zeros(1)
    del sd['cnn.conv0.weight']
    path = tmp_path / 'crnn.pth'
    torch.save(sd, path)
    with pytest.raises(CheckpointMismatchError) as e:
        TextZoomCRNN(checkpoint=str(path))
    msg = str(e.value)
    assert str(path) in msg and 'cnn.conv0.weight' in msg and 'rnn.9.extra' in msg
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        TextZoomCRNN(checkpoint=str(tmp_path / 'nope.pth'))


def test_tbsrn_teacher_forcing_and_attention_shapes():
    rec = tiny_tbsrn().eval()
    x = torch.rand(2, 3, 32, 128)
    logits, attn = rec.teacher_forced(x, ['ab1', 'Hello!'])
    assert logits.shape == (2, 6, 37)  # 'hello' + end token
    assert attn.shape == (2, 4, 6, 256)
    tokens, targets = rec.encode_labels(['ab1', 'Hello!'])
    assert targets[0].tolist() == [11, 12, 2, 0, -100, -100] and tokens[0].tolist() == [0, 11, 12, 2, 0, 0]
    maps = rec.attention(x, ['ab1', 'cd'])
    assert maps.shape == (2, 4, 8, 32)
    assert torch.allclose(maps.flatten(2).sum(-1), torch.ones(2, 4), atol=1e-5)
    # The 2D position code has no parameters: same checkpoint layout.
    assert set(tiny_tbsrn(feature_pe=True).state_dict()) == set(rec.state_dict())


def test_partial_parent_load_does_not_count_as_weights():
    parent = torch.nn.Module()
    parent.rec = TextZoomCRNN()
    parent.load_state_dict({}, strict=False)  # e.g. a restorer checkpoint without the recognizer's tensors
    with pytest.raises(RuntimeError, match='has no weights'):
        parent.rec.predict(torch.rand(1, 3, 32, 128))
    parent.load_state_dict({f'rec.{k}': v for k, v in TextZoomCRNN(allow_random=True).state_dict().items()})
    assert len(parent.rec.predict(torch.rand(1, 3, 32, 128))) == 1
