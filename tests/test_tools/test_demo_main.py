"""`make demo` (tools/demo_main.py) end to end on a tiny budget: every step runs, the report has Table 1 (the shipped
evaluators), the rapidocr table and the image sheet, and a rerun reuses the finished steps."""
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytest.importorskip('mmagic')
pytest.importorskip('rapidocr')
pytest.importorskip('easyocr_en_models')


def run_demo(work):
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'demo_main.py'), '--work-dir', str(work),
                          '--iters', '2', '--batch-size', '4', '--num-train', '16', '--num-test', '2'],
                         capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return res.stdout


def test_demo_main_runs_every_step_and_reuses_them(tmp_path):
    out = run_demo(tmp_path)
    assert 'glyphsr_mm environment OK' in out
    assert 'glyph masks: render mode' in out
    assert (tmp_path / 'glyphsr' / 'iter_2.pth').exists()
    for name in ('shipped', 'glyphsr'):
        assert (tmp_path / name / 'test_results.json').exists()
    report = (tmp_path / 'report.md').read_text()
    # Table 1 with the five shipped evaluators comes first, with the share of the gap closed
    assert (tmp_path / 'shipped' / 'table1' / 'test_results.json').exists()
    assert report.index('## Table 1') < report.index('## rapidocr')
    for rec in ('CRNN', 'MMOCR_CRNN'):
        assert f'| {rec} | SR |' in report and f'| {rec} | LR (bicubic) |' in report
    assert 'gap closed (%)' in report
    assert '| images | easy | medium | hard | average | PSNR | SSIM |' in report
    for row in ('| bicubic LR |', '| GlyphSR shipped SR |', '| GlyphSR 2 it. SR |', '| HR |'):
        assert row in report
    assert 'render mode' in report and 'data seed 1' in report
    # the verdict follows the table: shipped SR average vs bicubic LR average
    cells = {line.split('|')[1].strip(): line.split('|')[5].strip() for line in report.splitlines()
             if line.startswith('| ') and len(line.split('|')) > 6}
    sr, lr = float(cells['GlyphSR shipped SR']), float(cells['bicubic LR'])
    verdict = 'beats' if sr > lr else 'does not beat'
    assert f'Shipped GlyphSR SR {verdict} bicubic LR on rapidocr: {sr:.1f}% vs {lr:.1f}%' in report
    # the real crops: every labelled crop read on bicubic LR and SR, the counts in the report match readout.tsv
    import json
    real = json.loads((tmp_path / 'shipped' / 'real_crops' / 'summary.json').read_text())
    rows = (tmp_path / 'shipped' / 'real_crops' / 'readout.tsv').read_text().splitlines()[1:]
    assert real['labelled'] == len(rows) == 14
    from glyphsr_mm.evaluation import is_match
    assert real['sr_correct'] == sum(is_match(r.split('\t')[2], r.split('\t')[3]) for r in rows)
    assert f"rapidocr reads {real['lr_correct']}/14 on bicubic LR and {real['sr_correct']}/14" in report
    assert 'Training from scratch: total loss' in report
    from PIL import Image
    sheet = Image.open(tmp_path / 'sheet.png')
    assert sheet.size == (6 * 128 + 5 * 2, 6 * 32 + 5 * 2)  # 6 panels; 2 test images per subset
    again = run_demo(tmp_path)
    assert again.count('reusing') == 5 and 'Iter(train)' not in again


def load_demo_main():
    from glyphsr_mm.cli import demo_main
    return demo_main


def test_demo_glyph_step_runs_sam_gem_when_a_checkpoint_is_set(tmp_path, monkeypatch):
    import argparse

    import torch

    from glyphsr_mm.glyph import build_sam
    from glyphsr_mm.glyph.mask_cache import cache_keys
    from glyphsr_mm.models.recognizers import TBSRNTransformerRecognizer
    from tests.tiny_glyphsr import make_synthetic
    demo = load_demo_main()
    data = make_synthetic(tmp_path / 'data', num_train=4, num_test=1)
    args = argparse.Namespace(work_dir=str(tmp_path))
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv('SAM_CHECKPOINT', raising=False)
    assert demo.glyph_masks(args, data) == ('render', {})
    torch.manual_seed(0)
    torch.save(build_sam('tiny', allow_random=True).state_dict(), tmp_path / 'sam.pth')
    monkeypatch.setenv('SAM_CHECKPOINT', str(tmp_path / 'sam.pth'))
    monkeypatch.setenv('SAM_MODEL_TYPE', 'tiny')
    monkeypatch.setenv('TBSRN_TRANSFORMER', str(tmp_path / 'missing.pth'))
    with pytest.raises(SystemExit, match='missing.pth does not exist'):
        demo.glyph_masks(args, data)
    rec = TBSRNTransformerRecognizer(width=0.125, num_heads=8, feature_pe=True, allow_random=True)
    torch.save(rec.state_dict(), tmp_path / 'tbsrn.pth')
    monkeypatch.setenv('TBSRN_TRANSFORMER', str(tmp_path / 'tbsrn.pth'))
    mode, env = demo.glyph_masks(args, data)
    cache = str(tmp_path / 'glyph_cache_sam')
    assert mode == 'sam' and env == {'SYNTHETIC_GLYPH_MODE': 'sam', 'SYNTHETIC_GLYPH_CACHE': cache}
    from mmengine.config import Config

    from glyphsr_mm.glyph.mask_sources import training_mask_sources
    for name, value in env.items():  # what the demo's training subprocesses see
        monkeypatch.setenv(name, value)
    cfg = Config.fromfile(os.path.join(ROOT, 'configs', 'demo', 'glyphsr_demo_synthetic.py'))
    assert [src for _, src in training_mask_sources(cfg)] == [
        dict(mode='sam', cache=cache, required=True, num_maps=16)]
    assert len(cache_keys(cache)) == 4
    assert '4 / 4 samples ok' in (tmp_path / 'extract_glyphs.log').read_text()
