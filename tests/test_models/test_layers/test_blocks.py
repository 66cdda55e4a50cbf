import pytest
import torch

from glyphsr_mm.models.layers import DSTA, ChannelAttention, GruBlock, Mish, mmcv_ops_available


def test_gru_block_shapes_and_width_recurrence():
    torch.manual_seed(0)
    block = GruBlock(96, 64).eval()
    x = torch.randn(2, 96, 16, 64)
    y = block(x)
    assert y.shape == (2, 64, 16, 64)
    # Bidirectional along the width: a change at column 1 reaches column 0 (backward GRU) and column 2 (forward).
    x2 = x.clone()
    x2[..., 1] += 5
    y2 = block(x2)
    assert (y2[..., 0] - y[..., 0]).abs().max() > 1e-3 and (y2[..., 2] - y[..., 2]).abs().max() > 1e-3
    # ... but rows are independent sequences.
    x3 = x.clone()
    x3[:, :, 0] += 5
    assert torch.allclose(block(x3)[:, :, 1:], y[:, :, 1:])
    with pytest.raises(ValueError, match='even'):
        GruBlock(4, 5)


def test_channel_attention_scales_channels_only():
    ca = ChannelAttention(16, squeeze_factor=1)
    x = torch.rand(2, 16, 16, 64)
    y = ca(x)
    ratio = y / x
    assert torch.allclose(ratio, ratio[..., :1, :1].expand_as(ratio), atol=1e-5)
    assert ((ratio > 0) & (ratio < 1)).all()
    assert [k for k in ca.state_dict() if k.endswith('weight')] == ['attention.1.weight', 'attention.3.weight']


def test_mish():
    x = torch.linspace(-3, 3, 7)
    assert torch.allclose(Mish()(x), x * torch.tanh(torch.nn.functional.softplus(x)))


# Parameter names and shapes of the release's DSTA on 32 channels (`dsta_rec.*`, official key list).
RELEASE_DSTA32 = {
    'conv1.weight': (8, 32, 1, 1), 'conv_f.weight': (8, 8, 1, 1), 'conv_max.weight': (8, 8, 3, 3),
    'conv2.weight': (8, 8, 3, 3), 'conv3.weight': (8, 8, 3, 3), 'conv3_.weight': (8, 8, 3, 3),
    'conv4.weight': (32, 8, 1, 1), 'dcn.weight': (8, 1, 3, 3), 'dcn.bias': (8, ), 'mask.weight': (216, 8, 3, 3),
    'down_conv2.0.weight': (8, 8, 3, 3), 'mask2.weight': (216, 8, 3, 3), 'conv_du.0.weight': (16, 8, 1, 1),
    'conv_du.2.weight': (32, 16, 1, 1),
}


def test_dsta_matches_release_layout():
    shapes = {k: tuple(v.shape) for k, v in DSTA(32).state_dict().items()}
    for key, shape in RELEASE_DSTA32.items():
        assert shapes[key] == shape, key
    assert len(shapes) == 2 * len([k for k in RELEASE_DSTA32 if k.endswith('weight')])  # weight + bias each


@pytest.mark.parametrize('backend', ['torchvision'] + (['mmcv'] if mmcv_ops_available() else []))
def test_dsta_forward_backward_every_parameter(backend):
    torch.manual_seed(0)
    dsta = DSTA(64, dcn_backend=backend)
    for conv in (dsta.mask, dsta.mask2):  # non-zero offsets so the DCN path is exercised
        torch.nn.init.normal_(conv.weight, std=0.1)
    x = torch.randn(2, 64, 16, 64, requires_grad=True)
    y = dsta(x)
    assert y.shape == x.shape
    y.square().mean().backward()
    no_grad = [n for n, p in dsta.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert no_grad == []
    # Maps below 15 x 15 (RRDBNet's 8 x 32 at x2) are replicate-padded to 15 and cropped back: the result is the
    # padded map's result on the original pixels.
    small = torch.randn(1, 64, 8, 32)
    out = dsta(small)
    padded = torch.nn.functional.pad(small, (0, 0, 3, 4), mode='replicate')
    assert out.shape == small.shape and torch.allclose(out, dsta(padded)[..., 3:11, :], atol=1e-6)


def test_dsta_backends_agree():
    if not mmcv_ops_available():
        pytest.skip('mmcv.ops not loaded')
    torch.manual_seed(0)
    a = DSTA(32, dcn_backend='mmcv')
    torch.nn.init.normal_(a.mask.weight, std=0.2)
    b = DSTA(32, dcn_backend='torchvision')
    b.load_state_dict(a.state_dict())
    x = torch.randn(2, 32, 16, 64)
    assert (a(x) - b(x)).abs().max() < 1e-5
