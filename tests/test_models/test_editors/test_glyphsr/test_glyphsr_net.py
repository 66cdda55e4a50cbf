"""GlyphSRNet: the release's layout, shapes, variants, gradients, determinism; GPM/GFM/TP modules."""
import os

import pytest
import torch

from glyphsr_mm.models.editors.glyphsr import GlyphFusionNeck, GlyphPerceptionHead, GlyphSRNet, TextPriorTransformer
from tests.conftest import TEST_DATA

OFFICIAL_KEYS = os.path.join(TEST_DATA, 'official_checkpoint', 'glyphsr_state_dict_keys.tsv')


def official_layout():
    rows = [line.rstrip('\n').split('\t') for line in open(OFFICIAL_KEYS)][1:]
    return {k: tuple(int(n) for n in s.strip('()').split(',') if n.strip()) for k, s in rows}


def test_release_configuration_has_the_official_layout():
    official = official_layout()
    assert len(official) == 451
    ours = {k: tuple(v.shape) for k, v in GlyphSRNet(stn='rectify').state_dict().items()}
    assert sorted(set(official) - set(ours)) == [] and sorted(set(ours) - set(official)) == []
    assert {k: v for k, v in official.items() if ours[k] != v} == {}


def test_forward_shapes_and_value_range():
    net = GlyphSRNet(stn='off').eval()
    sr, (line, chars, logits) = net(torch.rand(2, 4, 16, 64), torch.rand(2, 95, 1, 26).softmax(1))
    assert sr.shape == (2, 4, 32, 128) and sr.abs().max() <= 1
    assert line.shape == (2, 1, 16, 64) and chars.shape == (2, 16, 16, 64) and logits.shape == (2, 16, 39)


def test_bicubic_skip_starts_at_the_bicubic_image_and_learns_a_residual():
    import torch.nn.functional as F
    torch.manual_seed(0)
    net = GlyphSRNet(stn='off', channels=16, num_blocks=2, glyph_block=1, prior_classes=0, bicubic_skip=True)
    lr = torch.rand(2, 4, 16, 64)
    bicubic = F.interpolate(lr, scale_factor=2, mode='bicubic', align_corners=False)
    torch.testing.assert_close(net.eval()(lr)[0], bicubic)  # the zero-initialised last conv adds nothing yet
    sr, (line, _, _) = net.train()(lr)
    ((sr - torch.rand_like(sr)) ** 2).mean().add(line.mean()).backward()
    assert net.block_out[0].weight.grad.abs().sum() > 0  # ... and it is trained
    assert GlyphSRNet(stn='off').block_out[0].weight.abs().sum() > 0  # off by default (the paper's tanh output)
    assert 'bicubic_skip' not in ''.join(GlyphSRNet(stn='off', bicubic_skip=True).state_dict())  # same checkpoints


@pytest.mark.parametrize('kwargs,glyph', [(dict(glyph_block=None), False), (dict(use_gfm=False), True),
                                          (dict(glyph_block=5, num_maps=15, gpm_scales=3), True),
                                          (dict(prior_classes=0), True), (dict(in_channels=3), True)])
def test_variants(kwargs, glyph):
    net = GlyphSRNet(stn='off', **kwargs).eval()
    c = kwargs.get('in_channels', 4)
    prior = torch.rand(1, 95, 1, 26) if kwargs.get('prior_classes', 95) else None
    sr, outs = net(torch.rand(1, c, 16, 64), prior)
    assert sr.shape == (1, c, 32, 128)
    assert (outs[0] is not None) == glyph
    if not kwargs.get('use_gfm', True):
        assert not any(k.startswith('block_merge') for k in net.state_dict())
    if glyph:
        assert outs[1].shape[1] == kwargs.get('num_maps', 16)


def test_configuration_errors_say_what_to_change():
    with pytest.raises(ValueError, match='glyph_block'):
        GlyphSRNet(glyph_block=6)
    with pytest.raises(ValueError, match='pass text_prior'):
        GlyphSRNet(stn='off').eval()(torch.rand(1, 4, 16, 64))
    with pytest.raises(ValueError, match='B x 4 x H x W'):
        GlyphSRNet(stn='off')(torch.rand(1, 3, 16, 64), torch.rand(1, 95, 1, 26))
    with pytest.raises(ValueError, match='B x 95 x 1 x T'):
        TextPriorTransformer(95)(torch.rand(1, 37, 1, 26))


def test_every_parameter_gets_a_gradient_with_the_stn_rectifying():
    torch.manual_seed(0)
    net = GlyphSRNet(stn='rectify', dcn_backend='torchvision').train()
    sr, (line, chars, logits) = net(torch.rand(2, 4, 16, 64), torch.rand(2, 95, 1, 26).softmax(1))
    (sr.mean() + line.mean() + chars.mean() + logits.mean()).backward()
    missing = [n for n, p in net.named_parameters() if p.grad is None]
    assert missing == []


def test_release_mode_keeps_stn_weights_but_never_runs_them():
    net = GlyphSRNet(stn='release').train()
    assert 'stn_head.stn_fc2.weight' in net.state_dict()
    sr, _ = net(torch.rand(2, 4, 16, 64), torch.rand(2, 95, 1, 26))
    sr.mean().backward()
    assert net.stn_head.stn_fc2.weight.grad is None


def test_eval_is_deterministic_and_batch_independent():
    torch.manual_seed(0)
    net = GlyphSRNet(stn='rectify').eval()
    x, p = torch.rand(3, 4, 16, 64), torch.rand(3, 95, 1, 26).softmax(1)
    a, b = net(x, p)[0], net(x, p)[0]
    assert torch.equal(a, b)
    single = torch.cat([net(x[i:i + 1], p[i:i + 1])[0] for i in range(3)])
    assert torch.allclose(a, single, atol=1e-5)


def test_head_and_neck_shapes():
    head = GlyphPerceptionHead(64, num_maps=15, num_classes=39, num_scales=3)
    line, chars, logits = head(torch.rand(2, 64, 16, 64))
    assert line.shape == (2, 1, 16, 64) and chars.shape == (2, 15, 16, 64) and logits.shape == (2, 15, 39)
    neck = GlyphFusionNeck(64, 15)
    assert neck(torch.rand(2, 64, 16, 64), chars).shape == (2, 64, 16, 64)
