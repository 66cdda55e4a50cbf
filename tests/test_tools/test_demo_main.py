"""`make demo` (tools/demo_main.py) end to end on a tiny budget: every step runs, the report has the accuracy table
and the image sheet, and a rerun reuses the finished steps."""
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
    for name in ('baseline1', 'glyphsr'):
        assert (tmp_path / name / 'iter_2.pth').exists()
        assert (tmp_path / name / 'test_results.json').exists()
    report = (tmp_path / 'report.md').read_text()
    assert '| images | easy | medium | hard | average | PSNR | SSIM |' in report
    for row in ('| bicubic LR |', '| Baseline1 SR |', '| GlyphSR SR |', '| HR |'):
        assert row in report
    assert 'render mode' in report and ('beats bicubic LR' in report or 'does not beat bicubic LR' in report)
    from PIL import Image
    sheet = Image.open(tmp_path / 'sheet.png')
    assert sheet.size == (6 * 128 + 5 * 2, 6 * 32 + 5 * 2)  # 6 panels; 2 test images per subset
    again = run_demo(tmp_path)
    assert again.count('reusing') == 4 and 'Iter(train)' not in again
