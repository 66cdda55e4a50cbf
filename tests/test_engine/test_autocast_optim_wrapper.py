"""AutocastOptimWrapper: bf16 autocast in the training forward on CPUs with native bf16, fp32 (said once) without."""
import warnings

import pytest
import torch
import torch.nn as nn

pytest.importorskip('mmagic')
from glyphsr_mm.engine.optimizers import autocast_optim_wrapper as wrapper_module  # noqa: E402
from glyphsr_mm.engine.optimizers import AutocastOptimWrapper  # noqa: E402
from glyphsr_mm.models.layers import GruBlock  # noqa: E402
from glyphsr_mm.registry import OPTIM_WRAPPERS  # noqa: E402


def _wrapper(model, **kwargs):
    # By class, not name: a Runner built earlier in the process may have left another default scope current.
    return OPTIM_WRAPPERS.build(dict(type=AutocastOptimWrapper, **kwargs),
                                default_args=dict(optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))


def test_forward_autocasts_to_bf16_and_the_step_updates_fp32_weights(monkeypatch):
    monkeypatch.setattr(wrapper_module, 'cpu_has_native_bf16', lambda: True)
    model = nn.Linear(8, 4)
    optim = _wrapper(model)
    assert OPTIM_WRAPPERS.module_dict['AutocastOptimWrapper'] is AutocastOptimWrapper
    before = model.weight.detach().clone()
    with optim.optim_context(model):
        out = model(torch.randn(2, 8))
    assert out.dtype == torch.bfloat16
    optim.update_params(out.float().square().mean())
    assert model.weight.dtype == torch.float32 and not torch.equal(model.weight, before)
    assert not torch.is_autocast_enabled('cpu')  # the context ends with the forward


def test_without_native_bf16_it_trains_in_fp32_and_says_so_once(monkeypatch):
    monkeypatch.setattr(wrapper_module, 'cpu_has_native_bf16', lambda: False)
    model = nn.Linear(8, 4)
    optim = _wrapper(model)
    with pytest.warns(UserWarning, match='no native bf16'):
        with optim.optim_context(model):
            assert model(torch.randn(2, 8)).dtype == torch.float32
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        with optim.optim_context(model):
            model(torch.randn(2, 8))
    forced = _wrapper(model, emulated_bf16='autocast')
    with forced.optim_context(model):
        assert model(torch.randn(2, 8)).dtype == torch.bfloat16
    with pytest.raises(ValueError, match='emulated_bf16'):
        _wrapper(model, emulated_bf16='yes')


def test_gru_block_stays_fp32_under_cpu_autocast():
    torch.manual_seed(0)
    block = GruBlock(8, 6)
    x = torch.randn(2, 8, 3, 5)
    ref = block(x)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = block(x)
    assert out.dtype == torch.float32
    # Only the 1x1 conv before the GRU ran in bf16.
    torch.testing.assert_close(out, ref, atol=2e-2, rtol=0)
