"""tools/demo.py on the real word crops (any size, no HR): SR files of the right size, sheets, readout."""
import os
import subprocess
import sys

import pytest
import torch

from tests.conftest import ROOT, TEST_DATA

pytest.importorskip('mmagic')
from tests.tiny_glyphsr import save_tiny_checkpoint, write_tiny_config  # noqa: E402

CROPS = os.path.join(TEST_DATA, 'real_word_crops')


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('tiny')
    cfg = write_tiny_config(tmp / 'tiny.py', str(tmp / 'unused_data'))
    return cfg, save_tiny_checkpoint(cfg, tmp / 'tiny.pth')


def test_demo_writes_sr_images_sheets_and_readout(tiny, tmp_path):
    from PIL import Image
    cfg, ckpt = tiny
    out = tmp_path / 'out'
    cmd = [sys.executable, os.path.join(ROOT, 'tools', 'demo.py'), cfg, ckpt, CROPS, '--out', str(out), '--sheet',
           '--device', 'cpu']
    try:
        import rapidocr  # noqa: F401
        cmd += ['--recognizer', 'rapidocr']
    except ImportError:
        pass
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    crops = sorted(f for f in os.listdir(CROPS) if f.endswith(('.jpg', '.png')))
    sizes = {Image.open(os.path.join(CROPS, f)).size for f in crops}
    assert len(sizes) > 1  # the crops really are of different sizes
    for f in crops:
        stem = os.path.splitext(f)[0]
        assert Image.open(out / f'{stem}.png').size == (128, 32)
        sheet = Image.open(out / f'{stem}_sheet.png')
        assert sheet.size == (4 * 128 + 3 * 2, 32) and sheet.mode == 'RGB'  # LR | SR | line map | char maps
    assert Image.open(out / 'sheet.png').size == (4 * 128 + 3 * 2, len(crops) * 34 - 2)
    if '--recognizer' in cmd:
        lines = (out / 'readout.tsv').read_text().splitlines()
        assert lines[0] == 'image\tLR (bicubic)\tSR' and len(lines) == len(crops) + 1


def test_inferencer_resizes_adds_mask_and_matches_the_model(tiny):
    """The inferencer's SR equals the restorer's forward_tensor on the same LR (16x64 + mask channel)."""
    import numpy as np

    from glyphsr_mm.apis import TextSRInferencer, read_images
    cfg, ckpt = tiny
    inf = TextSRInferencer(cfg, ckpt, device='cpu')
    imgs = read_images([os.path.join(CROPS, f) for f in sorted(os.listdir(CROPS))[:3]])
    lr = inf.preprocess(imgs)
    assert lr.shape == (3, 4, 16, 64) and inf.add_mask
    assert set(torch.unique(lr[:, 3]).tolist()) <= {0.0, 1.0}
    out = inf(imgs, batch_size=2)
    assert out['sr'].shape == (3, 3, 32, 128) and out['char_maps'].shape[:2] == (3, 16)
    with torch.no_grad():
        ref = inf.model.forward_tensor(lr)[0][:, :3].clamp(0, 1)
    assert torch.allclose(out['sr'], ref, atol=1e-5)
    assert np.asarray(imgs[0]).dtype == np.uint8


def test_inferencer_inputs_equal_the_test_dataloaders(tiny, tmp_path):
    """The inferencer composes the config's test pipeline: word crops stored as LR records of a TextZoom LMDB and
    read by the config's own test dataset + the model's data preprocessor give the inferencer's inputs exactly."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from glyphsr_mm.apis import TextSRInferencer, read_images
    from glyphsr_mm.datasets import TextZoomDataset, TextZoomLMDBWriter
    cfg, ckpt = tiny
    paths = [os.path.join(CROPS, f) for f in sorted(os.listdir(CROPS))[:4]]
    imgs = read_images(paths)
    root = str(tmp_path / 'crops_lmdb')
    with TextZoomLMDBWriter(root) as w:
        for img in imgs:
            w.add('word', lr=img, hr=img)  # PNG: lossless, the same pixels
    init_default_scope('mmagic')
    inf = TextSRInferencer(cfg, ckpt, device='cpu')
    ds_cfg = Config.fromfile(cfg).test_dataloader.dataset
    ds = TextZoomDataset(root, pipeline=ds_cfg.pipeline, test_mode=True)
    packed = [ds[i] for i in range(len(ds))]
    ref = inf.model.data_preprocessor(dict(inputs=[p['inputs'] for p in packed],
                                           data_samples=[p['data_samples'] for p in packed]), False)['inputs']
    assert ref.shape == (4, 4, 16, 64)
    assert torch.equal(inf.preprocess(imgs), ref)


def test_demo_errors_name_the_problem(tiny, tmp_path):
    from glyphsr_mm.apis import TextSRInferencer
    from glyphsr_mm.utils.checkpoint import CheckpointMismatchError
    cfg, ckpt = tiny
    state = torch.load(ckpt, weights_only=True)['state_dict']
    del state['generator.block1.0.weight']
    torch.save(dict(state_dict=state), tmp_path / 'partial.pth')
    with pytest.raises(CheckpointMismatchError, match=r'missing keys \(1\): generator.block1.0.weight'):
        TextSRInferencer(cfg, str(tmp_path / 'partial.pth'), device='cpu')
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'demo.py'), cfg, ckpt,
                          str(tmp_path / 'nothing_here'), '--out', str(tmp_path / 'o')],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode != 0 and f'input not found: {tmp_path / "nothing_here"}' in res.stderr
    (tmp_path / 'bad.png').write_bytes(b'not a png')
    from glyphsr_mm.apis import read_images
    with pytest.raises(ValueError, match='cannot read image .*bad.png'):
        read_images([str(tmp_path / 'bad.png')])


def test_published_weights_without_the_frozen_prior_give_the_same_sr(tiny, tmp_path):
    """A weights file made by publish_checkpoint.py with the generator only (the frozen text prior's recognizer
    has its own weights file) gives the SR of the full runner checkpoint; a fine-tuned prior cannot."""
    from mmengine.config import Config

    from glyphsr_mm.apis import TextSRInferencer, read_images
    from glyphsr_mm.utils.checkpoint import read_state_dict
    cfg_path, ckpt = tiny
    state = read_state_dict(ckpt)
    prefix = 'text_prior.recognizer.'
    torch.save({k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}, tmp_path / 'prior.pth')
    cfg = Config.fromfile(cfg_path)
    cfg.model.text_prior.recognizer.update(checkpoint=str(tmp_path / 'prior.pth'), allow_random=False)
    published = tmp_path / 'published.pth'
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'model_converters', 'publish_checkpoint.py'),
                          ckpt, str(published), '--select', 'generator.'], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    assert all(k.startswith('generator.') for k in torch.load(published, map_location='cpu'))
    imgs = read_images([os.path.join(CROPS, f) for f in sorted(os.listdir(CROPS))[:3]])
    full = TextSRInferencer(cfg, ckpt, device='cpu')(imgs)
    light = TextSRInferencer(cfg, str(published), device='cpu')(imgs)
    assert torch.equal(full['sr'], light['sr'])
    cfg.model.text_prior.finetune = True
    with pytest.raises(KeyError, match='fine-tunes the text prior'):
        TextSRInferencer(cfg, str(published), device='cpu')


def test_demo_arguments_default_to_the_shipped_model():
    from glyphsr_mm.cli.demo import SHIPPED_CHECKPOINT, SHIPPED_CONFIG, parse_demo_args
    args = parse_demo_args(['a.png', 'words/', '--out', 'o'])
    assert (args.config, args.checkpoint, args.inputs) == (SHIPPED_CONFIG, SHIPPED_CHECKPOINT, ['a.png', 'words/'])
    args = parse_demo_args(['c.py', 'w.pth', 'a.png', '--out', 'o'])
    assert (args.config, args.checkpoint, args.inputs) == ('c.py', 'w.pth', ['a.png'])
    args = parse_demo_args(['a.png', '--config', 'c.py', '--checkpoint', 'w.pth', '--out', 'o'])
    assert (args.config, args.checkpoint) == ('c.py', 'w.pth')
    for bad in (['a.png', '--config', 'c.py', '--out', 'o'], ['a.png', '--labels', 'l.tsv', '--out', 'o']):
        with pytest.raises(SystemExit):
            parse_demo_args(bad)


def test_finetune_config_starts_from_the_shipped_generator(tmp_path):
    """configs/demo/glyphsr_finetune_synthetic.py loads the published generator-only fp16 file into a full
    training model (the frozen prior and the text focus loss's recognizer keep their own weights)."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    from glyphsr_mm.utils.checkpoint import read_state_dict
    cfg = Config.fromfile(os.path.join(ROOT, 'configs', 'demo', 'glyphsr_finetune_synthetic.py'))
    cfg.work_dir = str(tmp_path)
    cfg.load_from = os.path.join(ROOT, cfg.load_from)
    runner = Runner.from_cfg(cfg)
    prior_before = {k: v.clone() for k, v in runner.model.text_prior.state_dict().items()}
    runner.load_or_resume()
    shipped = read_state_dict(cfg.load_from)
    gen = runner.model.generator.state_dict()
    assert shipped and all(k.startswith('generator.') for k in shipped)
    for key, value in shipped.items():
        mine = gen[key[len('generator.'):]]
        torch.testing.assert_close(mine, value.to(mine.dtype), rtol=0, atol=0, msg=key)
    for key, value in runner.model.text_prior.state_dict().items():
        torch.testing.assert_close(value, prior_before[key], msg=key)
