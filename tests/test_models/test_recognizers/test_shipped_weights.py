"""The weights shipped in checkpoints/ load into their model and do their job: the width-0.125 TBSRN
transformer reads synthetic HR words it never saw (a seed the training set did not use); the GlyphSR restores
them."""
import hashlib
import json
import os
import shutil
import subprocess

import numpy as np
import pytest
import torch

from tests.conftest import ROOT

TBSRN = os.path.join(ROOT, 'checkpoints', 'tbsrn_transformer_w0.125_synthetic.pth')


def test_shipped_tbsrn_w0125_reads_unseen_synthetic_words():
    from glyphsr_mm.datasets.synthetic_text import SyntheticTextRenderer
    from glyphsr_mm.evaluation import is_match
    from glyphsr_mm.models.recognizers import TBSRNTransformerRecognizer
    rec = TBSRNTransformerRecognizer(width=0.125, num_heads=8, feature_pe=True, checkpoint=TBSRN).eval()
    rng = np.random.default_rng(12345)  # not a seed of the shipped model's data (seed 0)
    renderer = SyntheticTextRenderer()
    samples = [renderer.render(rng, 'easy') for _ in range(48)]
    images = torch.from_numpy(np.stack([s.hr for s in samples])).permute(0, 3, 1, 2).float() / 255
    words = rec.predict(images)
    right = sum(is_match(w, s.label, 'textzoom') for w, s in zip(words, samples))
    assert right >= 0.75 * len(samples), list(zip(words, [s.label for s in samples]))
    noise = torch.rand(8, 3, 32, 128, generator=torch.Generator().manual_seed(0))
    assert sum(is_match(w, s.label, 'textzoom') for w, s in zip(rec.predict(noise), samples)) == 0


def test_shipped_glyphsr_runs_by_default_and_restores_unseen_synthetic_words():
    """tools/demo.py's default model (the shipped GlyphSR) loads without any weights to fetch and its SR is closer
    to HR than bicubic on words of a seed it never saw (+0.57 dB measured on the 1,500 seed-1 test images)."""
    pytest.importorskip('mmagic')
    pytest.importorskip('easyocr_en_models')
    import torch.nn.functional as F

    from glyphsr_mm.apis import TextSRInferencer
    from glyphsr_mm.cli.demo import SHIPPED_CHECKPOINT, SHIPPED_CONFIG
    from glyphsr_mm.datasets.synthetic_text import SyntheticTextRenderer
    rng = np.random.default_rng(54321)
    renderer = SyntheticTextRenderer()
    samples = [renderer.render(rng, split) for split in ('easy', 'medium', 'hard') for _ in range(16)]
    out = TextSRInferencer(SHIPPED_CONFIG, SHIPPED_CHECKPOINT, device='cpu')([s.lr for s in samples])
    hr = torch.from_numpy(np.stack([s.hr for s in samples])).permute(0, 3, 1, 2).float() / 255
    bicubic = F.interpolate(out['lr'], size=(32, 128), mode='bicubic', align_corners=False).clamp(0, 1)
    from mmagic.evaluation.metrics import psnr as image_psnr

    def psnr(x: torch.Tensor) -> float:  # MMagic's PSNR per image, averaged over the images
        return float(np.mean([image_psnr(a * 255, b * 255, input_order='CHW') for a, b in zip(x.numpy(), hr.numpy())]))
    assert out['sr'].shape == (48, 3, 32, 128)
    assert psnr(out['sr']) > psnr(bicubic) + 0.2, (psnr(out['sr']), psnr(bicubic))


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(['git', *args], cwd=ROOT, capture_output=True, check=False)


def _shipped_glyphsr_meta() -> dict:
    with open(os.path.join(ROOT, 'checkpoints', 'glyphsr_synthetic.json')) as f:
        return json.load(f)


def test_shipped_glyphsr_metadata_names_the_file():
    """checkpoints/glyphsr_synthetic.json describes the file next to it: a replaced .pth without new metadata
    (test table, commands) fails here."""
    meta = _shipped_glyphsr_meta()
    with open(os.path.join(ROOT, meta['file']), 'rb') as f:
        assert hashlib.sha256(f.read()).hexdigest() == meta['sha256']


def test_shipped_glyphsr_earlier_files_are_in_the_history_they_name():
    """Each replaced file (metadata 'earlier_files') comes back with the ``git show COMMIT:PATH`` it gives."""
    meta = _shipped_glyphsr_meta()
    if shutil.which('git') is None:
        pytest.skip('git is not installed')
    assert meta['earlier_files']
    for earlier in meta['earlier_files']:
        if _git('cat-file', '-e', earlier['commit']).returncode != 0:
            pytest.skip(f"commit {earlier['commit']} is not in this checkout (not a git clone, or a shallow one)")
        blob = _git('show', f"{earlier['commit']}:{meta['file']}")
        assert blob.returncode == 0, blob.stderr.decode()
        assert hashlib.sha256(blob.stdout).hexdigest() == earlier['sha256'], earlier['commit']
        assert f"git show {earlier['commit']}:{meta['file']}" in ' '.join(meta['trained_with'])
