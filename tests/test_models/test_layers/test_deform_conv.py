"""Both deformable-conv backends compute the same function (forward and gradients); ``auto`` chooses by the input's
device (tested here with the availability of MMCV's kernels patched; the CUDA runs are in tests/test_cuda.py)."""
import warnings

import pytest
import torch

from glyphsr_mm.models.layers import deform_conv as dc
from glyphsr_mm.models.layers.deform_conv import ModulatedDeformConv2d, mmcv_ops_available, resolve_backend

needs_mmcv = pytest.mark.skipif(not mmcv_ops_available(), reason='mmcv.ops (compiled) not loaded')


def _inputs(seed, b, cin, h, w, k, stride, pad, dg):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(b, cin, h, w, generator=g)
    ho = (h + 2 * pad - k) // stride + 1
    wo = (w + 2 * pad - k) // stride + 1
    # Non-trivial offsets (several pixels, fractional) and masks in (0, 1).
    offset = 2.5 * torch.randn(b, 2 * dg * k * k, ho, wo, generator=g)
    mask = torch.rand(b, dg * k * k, ho, wo, generator=g)
    return x, offset, mask


CASES = [
    # cin, cout, k, stride, pad, groups, deform_groups, bias
    (8, 8, 3, 1, 1, 1, 1, True),
    (8, 8, 3, 1, 1, 8, 8, True),    # depth-wise, groups = deform_groups = channels (DSTA's layer)
    (16, 8, 3, 2, 1, 4, 2, False),  # groups > 1, deform groups > 1, stride 2, no bias
    (6, 12, 5, 1, 2, 3, 3, True),
]


@needs_mmcv
@pytest.mark.parametrize('cin,cout,k,stride,pad,groups,dg,bias', CASES)
def test_backends_agree_forward_and_backward(cin, cout, k, stride, pad, groups, dg, bias):
    torch.manual_seed(0)
    mm = ModulatedDeformConv2d(cin, cout, k, stride, pad, groups=groups, deform_groups=dg, bias=bias,
                               backend='mmcv')
    tv = ModulatedDeformConv2d(cin, cout, k, stride, pad, groups=groups, deform_groups=dg, bias=bias,
                               backend='torchvision')
    tv.load_state_dict(mm.state_dict())
    x, offset, mask = _inputs(1, 2, cin, 9, 13, k, stride, pad, dg)
    upstream = None
    outs, grads = [], []
    for layer in (mm, tv):
        xi, oi, mi = (t.clone().requires_grad_() for t in (x, offset, mask))
        y = layer(xi, oi, mi)
        if upstream is None:
            upstream = torch.randn(y.shape, generator=torch.Generator().manual_seed(2))
        # A random upstream gradient, scaled so that parameter gradients are O(1): every position matters and
        # float32 rounding of the sums stays far below the tolerance.
        ((y * upstream).sum() / y.numel() ** 0.5).backward()
        outs.append(y.detach())
        grads.append([xi.grad, oi.grad, mi.grad, layer.weight.grad] + ([layer.bias.grad] if bias else []))
    assert outs[0].shape == outs[1].shape
    assert outs[0].abs().max() > 0.1  # the comparison is not between zeros
    assert (outs[0] - outs[1]).abs().max() < 1e-5
    for name, a, b in zip(['input', 'offset', 'mask', 'weight', 'bias'], *grads):
        assert a.abs().max() > 1e-3, f'gradient of {name} is ~0: the comparison would be vacuous'
        assert (a - b).abs().max() < 1e-5, f'gradient of {name} differs'


def test_offsets_matter_and_zero_offset_is_plain_conv():
    torch.manual_seed(0)
    layer = ModulatedDeformConv2d(4, 6, 3, padding=1, backend='torchvision')
    x = torch.randn(1, 4, 8, 8)
    zero = torch.zeros(1, 18, 8, 8)
    ref = torch.nn.functional.conv2d(x, layer.weight, layer.bias, padding=1)
    assert torch.allclose(layer(x, zero), ref, atol=1e-5)
    assert not torch.allclose(layer(x, zero + 0.7), ref, atol=1e-3)


@pytest.mark.parametrize('backend', ['torchvision', 'mmcv'])
def test_runs_in_fp32_under_bf16_autocast_and_on_bf16_inputs(backend):
    if backend == 'mmcv' and not mmcv_ops_available():
        pytest.skip('mmcv ops not built')
    torch.manual_seed(0)
    layer = ModulatedDeformConv2d(4, 6, 3, padding=1, backend=backend)
    x, offset, mask = torch.randn(2, 4, 8, 8), torch.randn(2, 18, 8, 8), torch.rand(2, 9, 8, 8)
    ref = layer(x, offset, mask)
    with torch.autocast('cpu', dtype=torch.bfloat16):  # neither backend has bf16 kernels
        out = layer(x, offset, mask)
    assert out.dtype == torch.float32 and torch.equal(out, ref)
    low = layer(x.bfloat16(), offset.bfloat16(), mask.bfloat16())
    assert low.dtype == torch.float32 and (low - ref).abs().max() < 0.1 * ref.abs().max()
    x.requires_grad_(True)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        layer(x, offset, mask).sum().backward()
    assert x.grad is not None and x.grad.abs().max() > 0


def test_bad_shapes_and_backend_names_are_clear():
    layer = ModulatedDeformConv2d(4, 4, 3, padding=1, backend='torchvision')
    with pytest.raises(ValueError, match='offset has 9 channels, expected 18'):
        layer(torch.randn(1, 4, 5, 5), torch.zeros(1, 9, 5, 5))
    with pytest.raises(ValueError, match='backend must be one of'):
        resolve_backend('cuda')
    with pytest.raises(ValueError, match='divisible by groups'):
        ModulatedDeformConv2d(4, 6, 3, groups=4)


def test_auto_backend_prefers_mmcv_when_loaded():
    assert resolve_backend('auto') == ('mmcv' if mmcv_ops_available() else 'torchvision')


@pytest.fixture
def mmcv_builds(monkeypatch):
    """Pretend the installed mmcv is a CPU build (``cuda=False``) or a CUDA build (``cuda=True``)."""
    def set_build(ops: bool, cuda: bool) -> None:
        monkeypatch.setattr(dc, 'mmcv_ops_available', lambda: ops)
        monkeypatch.setattr(dc, 'mmcv_cuda_ops_available', lambda: ops and cuda)
        monkeypatch.setattr(dc, '_mmcv_op', lambda: None if ops else (_ for _ in ()).throw(ImportError('no ops')))
        monkeypatch.setattr(dc, '_WARNED_CUDA_FALLBACK', False)
    return set_build


def test_auto_follows_the_device(mmcv_builds):
    mmcv_builds(ops=True, cuda=True)
    assert dc.resolve_backend('auto', 'cpu') == 'mmcv' and dc.resolve_backend('auto', 'cuda') == 'mmcv'
    mmcv_builds(ops=True, cuda=False)
    assert dc.resolve_backend('auto', 'cpu') == 'mmcv'
    with pytest.warns(UserWarning, match='built without CUDA.*GLYPHSR_CUDA=1'):
        assert dc.resolve_backend('auto', torch.device('cuda', 0)) == 'torchvision'
    with warnings.catch_warnings():  # one warning per process, not one per call
        warnings.simplefilter('error')
        assert dc.resolve_backend('auto', 'cuda') == 'torchvision'
    mmcv_builds(ops=False, cuda=False)
    assert dc.resolve_backend('auto', 'cpu') == 'torchvision'


def test_a_cuda_input_never_reaches_a_cpu_only_mmcv(mmcv_builds):
    mmcv_builds(ops=True, cuda=False)
    assert dc.resolve_backend('mmcv', 'cpu') == 'mmcv'
    with pytest.raises(RuntimeError, match='without CUDA kernels.*GLYPHSR_CUDA=1 make setup'):
        dc.resolve_backend('mmcv', 'cuda')
    mmcv_builds(ops=True, cuda=True)
    assert dc.resolve_backend('mmcv', 'cuda') == 'mmcv'
    assert dc.resolve_backend('torchvision', 'cuda') == 'torchvision'
    with pytest.raises(ValueError, match='backend must be one of'):
        dc.resolve_backend('cudnn', 'cuda')


def test_layer_keeps_auto_and_decides_per_call(mmcv_builds, monkeypatch):
    mmcv_builds(ops=False, cuda=False)
    layer = dc.ModulatedDeformConv2d(4, 4, 3, padding=1, groups=4, deform_groups=4, backend='auto')
    assert layer.backend == 'auto'
    seen = []
    real = dc.resolve_backend
    monkeypatch.setattr(dc, 'resolve_backend', lambda b, d='cpu': seen.append((b, torch.device(d).type)) or real(b, d))
    x = torch.randn(1, 4, 8, 8)
    out = layer(x, torch.zeros(1, layer.offset_channels, 8, 8))
    assert out.shape == x.shape and seen == [('auto', 'cpu')]
