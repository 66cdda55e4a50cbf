"""tools/model_converters/official_to_glyphsr_mm.py on a state dict built with the release's names and shapes."""
import os
import subprocess
import sys

import torch

from glyphsr_mm.models.backbones import GlyphSRNet
from tests.conftest import ROOT

TOOL = os.path.join(ROOT, 'tools', 'model_converters', 'official_to_glyphsr_mm.py')
CONFIG = os.path.join(ROOT, 'configs', 'glyphsr_textzoom.py')


def release_like_checkpoint(path, prefix='module.'):
    torch.manual_seed(0)
    net = GlyphSRNet(stn='rectify')
    with torch.no_grad():  # non-trivial BN statistics and non-zero DSTA offsets
        for name, buf in net.named_buffers():
            if name.endswith('running_mean'):
                buf.normal_(0, 0.1)
            elif name.endswith('running_var'):
                buf.uniform_(0.5, 1.5)
        for name, p in net.named_parameters():
            if name.endswith(('mask.weight', 'mask2.weight')):
                p.normal_(0, 0.01)
    net.eval()
    sd = {f'{prefix}{k}': v for k, v in net.state_dict().items()}
    torch.save({'state_dict_G': sd, 'info': {'epoch': 1}}, path)
    return net


def run(*args):
    return subprocess.run([sys.executable, TOOL, *map(str, args)], capture_output=True, text=True, cwd=ROOT)


def test_converted_checkpoint_loads_and_reproduces_outputs(tmp_path):
    src = release_like_checkpoint(tmp_path / 'model_best_acc_0.pth')
    out = tmp_path / 'glyphsr_mm.pth'
    res = run(tmp_path / 'model_best_acc_0.pth', out, '--config', CONFIG)
    assert res.returncode == 0, res.stderr
    ckpt = torch.load(out, weights_only=True)
    assert all(k.startswith('generator.') for k in ckpt['state_dict'])
    from mmengine.config import Config
    gen_cfg = Config.fromfile(CONFIG, import_custom_modules=False).model.generator.to_dict()
    gen_cfg.pop('type')
    dst = GlyphSRNet(**gen_cfg)
    dst.load_state_dict({k[len('generator.'):]: v for k, v in ckpt['state_dict'].items()}, strict=True)
    dst.eval()
    x, prior = torch.rand(3, 4, 16, 64), torch.rand(3, 95, 1, 26).softmax(1)
    with torch.no_grad():
        a, (la, ca, za) = src(x, prior)
        b, (lb, cb, zb) = dst(x, prior)
    for u, v in ((a, b), (la, lb), (ca, cb), (za, zb)):
        assert (u - v).abs().max().item() < 1e-5


def test_bare_state_dict_without_prefix_is_accepted(tmp_path):
    release_like_checkpoint(tmp_path / 'bare.pth', prefix='')
    assert run(tmp_path / 'bare.pth', tmp_path / 'o.pth').returncode == 0


def test_mismatch_lists_missing_and_unexpected_keys_and_writes_nothing(tmp_path):
    release_like_checkpoint(tmp_path / 'm.pth')
    ckpt = torch.load(tmp_path / 'm.pth', weights_only=True)
    del ckpt['state_dict_G']['module.block_merge6.dsta.conv4.weight']
    ckpt['state_dict_G']['module.block_merge7.conv1.0.weight'] = torch.zeros(1)
    torch.save(ckpt, tmp_path / 'm.pth')
    res = run(tmp_path / 'm.pth', tmp_path / 'o.pth')
    assert res.returncode != 0
    assert 'block_merge6.dsta.conv4.weight' in res.stderr and 'block_merge7.conv1.0.weight' in res.stderr
    assert 'm.pth' in res.stderr and not (tmp_path / 'o.pth').exists()
