"""tools/model_converters/official_to_glyphsr_mm.py on weights run through the authors' code (tests/data/reference)."""
import os
import subprocess
import sys

import torch

from glyphsr_mm.models.editors.glyphsr import GlyphSRNet
from tests.conftest import ROOT
from tests.reference_fixtures import load_fixture

TOOL = os.path.join(ROOT, 'tools', 'model_converters', 'official_to_glyphsr_mm.py')
CONFIG = os.path.join(ROOT, 'configs', 'glyphsr_textzoom.py')


def release_checkpoint(path, prefix='module.'):
    """The release's file layout around weights under the release's own names (``tests/data/reference``: made by
    running the authors' ``model/GlyphSR.py``); returns the fixture's inputs and the release's outputs."""
    state, inputs, outputs, _ = load_fixture('glyphsr_release')
    torch.save({'state_dict_G': {f'{prefix}{k}': v for k, v in state.items()}, 'info': {'epoch': 1}}, path)
    return inputs, outputs


def run(*args):
    return subprocess.run([sys.executable, TOOL, *map(str, args)], capture_output=True, text=True, cwd=ROOT)


def test_converted_release_checkpoint_gives_the_release_outputs(tmp_path):
    """SR image, line map, character maps and GPM class logits of the converted model against what the authors'
    code computed with the same weights (max abs difference < 1e-5)."""
    inputs, outputs = release_checkpoint(tmp_path / 'model_best_acc_0.pth')
    out = tmp_path / 'glyphsr_mm.pth'
    res = run(tmp_path / 'model_best_acc_0.pth', out, '--config', CONFIG)
    assert res.returncode == 0, res.stderr
    ckpt = torch.load(out, weights_only=True)
    assert all(k.startswith('generator.') for k in ckpt['state_dict'])
    from mmengine.config import Config
    gen_cfg = Config.fromfile(CONFIG, import_custom_modules=False).model.generator.to_dict()
    gen_cfg.pop('type')
    net = GlyphSRNet(**gen_cfg)
    net.load_state_dict({k[len('generator.'):]: v for k, v in ckpt['state_dict'].items()}, strict=True)
    with torch.no_grad():
        sr, (line_map, char_maps, char_logits) = net.eval()(inputs['lr'], inputs['text_prior'])
    for name, ours in dict(sr=sr, line_map=line_map, char_maps=char_maps, char_logits=char_logits).items():
        assert (ours - outputs[name]).abs().max().item() < 1e-5, name


def test_recognizer_saved_as_a_pickled_module_gets_an_error_saying_how_to_convert_it(tmp_path):
    release_checkpoint(tmp_path / 'model_best_acc_0.pth')
    torch.save(torch.nn.Linear(2, 2), tmp_path / 'recognizer_best_acc_0.pth')  # a whole module, not a state dict
    res = run(tmp_path / 'model_best_acc_0.pth', tmp_path / 'o.pth', '--recognizer',
              tmp_path / 'recognizer_best_acc_0.pth')
    assert res.returncode != 0 and not (tmp_path / 'o.pth').exists()
    assert 'recognizer_best_acc_0.pth' in res.stderr and 'pickled' in res.stderr
    assert 'torch.nn.modules.linear.Linear' in res.stderr and 'state_dict()' in res.stderr


def test_recognizer_state_dict_is_added_under_the_text_prior(tmp_path):
    from glyphsr_mm.models.recognizers import PARSeqRecognizer
    release_checkpoint(tmp_path / 'model_best_acc_0.pth')
    torch.manual_seed(0)
    rec_state = PARSeqRecognizer(allow_random=True).state_dict()
    torch.save({f'model.{k}': v for k, v in rec_state.items()}, tmp_path / 'recognizer_best_acc_0.pth')
    res = run(tmp_path / 'model_best_acc_0.pth', tmp_path / 'o.pth', '--recognizer',
              tmp_path / 'recognizer_best_acc_0.pth')
    assert res.returncode == 0, res.stderr
    converted = torch.load(tmp_path / 'o.pth', weights_only=True)['state_dict']
    for k, v in rec_state.items():
        assert torch.equal(converted[f'text_prior.recognizer.{k}'], v), k


def test_bare_state_dict_without_prefix_is_accepted(tmp_path):
    release_checkpoint(tmp_path / 'bare.pth', prefix='')
    assert run(tmp_path / 'bare.pth', tmp_path / 'o.pth').returncode == 0


def test_mismatch_lists_missing_and_unexpected_keys_and_writes_nothing(tmp_path):
    release_checkpoint(tmp_path / 'm.pth')
    ckpt = torch.load(tmp_path / 'm.pth', weights_only=True)
    del ckpt['state_dict_G']['module.block_merge6.dsta.conv4.weight']
    ckpt['state_dict_G']['module.block_merge7.conv1.0.weight'] = torch.zeros(1)
    torch.save(ckpt, tmp_path / 'm.pth')
    res = run(tmp_path / 'm.pth', tmp_path / 'o.pth')
    assert res.returncode != 0
    assert 'block_merge6.dsta.conv4.weight' in res.stderr and 'block_merge7.conv1.0.weight' in res.stderr
    assert 'm.pth' in res.stderr and not (tmp_path / 'o.pth').exists()
