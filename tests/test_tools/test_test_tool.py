"""tools/test.py end to end: a tiny checkpoint on a tiny synthetic TextZoom, Table 1 printed and saved."""
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytest.importorskip('mmagic')
from glyphsr_mm.evaluation.results_table import gap_closed  # noqa: E402
from tests.tiny_glyphsr import make_synthetic, save_tiny_checkpoint, write_tiny_config  # noqa: E402


def test_test_tool_writes_table1_and_sr_images(tmp_path):
    data = make_synthetic(tmp_path / 'synth', num_train=4, num_test=6)
    cfg = write_tiny_config(tmp_path / 'tiny.py', data)
    ckpt = save_tiny_checkpoint(cfg, tmp_path / 'tiny.pth')
    work, images = tmp_path / 'work', tmp_path / 'sr'
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'test.py'), cfg, ckpt, '--work-dir', str(work),
                          '--save-images', str(images)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    md = (work / 'test_results.md').read_text()
    assert md in res.stdout  # printed as well
    lines = md.splitlines()
    assert ('| recognizer | images | easy | medium | hard | average (mean of subsets) | weighted (by subset size) '
            '| gap closed (%) | PSNR | SSIM |') in lines
    for rec in ('CRNN', 'TBSRN', 'mean'):
        for row in ('LR (bicubic)', 'SR', 'HR'):
            assert any(line.startswith(f'| {rec} | {row} |') for line in lines), (rec, row)
    result = json.loads((work / 'test_results.json').read_text())
    metrics = result['metrics']
    assert result['checkpoint'] == ckpt and 0 < metrics['PSNR'] < 60 and 0 <= metrics['SSIM'] <= 1
    sr_row = next(r for r in result['table'] if r['recognizer'] == 'CRNN' and r['row'] == 'SR')
    assert sr_row['average'] == pytest.approx(metrics['CRNN/average/word_acc'])
    assert sr_row['average'] == pytest.approx((sr_row['easy'] + sr_row['medium'] + sr_row['hard']) / 3)
    assert sr_row['weighted'] == pytest.approx(metrics['CRNN/weighted/word_acc'])
    lr_row = next(r for r in result['table'] if r['recognizer'] == 'CRNN' and r['row'] == 'LR')
    hr_row = next(r for r in result['table'] if r['recognizer'] == 'CRNN' and r['row'] == 'HR')
    assert sr_row.get('gap closed') == gap_closed(lr_row['average'], sr_row['average'], hr_row['average'])
    pngs = sorted(p.relative_to(images).as_posix() for p in images.rglob('*.png'))
    assert len(pngs) == 18 and pngs[0] == 'easy/000001.png'
    import cv2
    assert cv2.imread(str(images / pngs[0])).shape == (32, 128, 3)
    assert len((images / 'labels.tsv').read_text().splitlines()) == 18


def test_test_tool_names_a_missing_checkpoint(tmp_path):
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'test.py'),
                          os.path.join(ROOT, 'configs', 'glyphsr_textzoom.py'), str(tmp_path / 'nope.pth')],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode != 0 and f'checkpoint not found: {tmp_path / "nope.pth"}' in res.stderr


def test_test_tool_refuses_a_checkpoint_that_does_not_fit_the_generator(tmp_path):
    import torch
    data = make_synthetic(tmp_path / 'synth', num_train=2, num_test=2)
    cfg = write_tiny_config(tmp_path / 'tiny.py', data)
    ckpt = torch.load(save_tiny_checkpoint(cfg, tmp_path / 'tiny.pth'), weights_only=True)
    dropped = next(k for k in ckpt['state_dict'] if k.startswith('generator.block_out'))
    del ckpt['state_dict'][dropped]
    ckpt['state_dict']['generator.block99.weight'] = torch.zeros(1)
    torch.save(ckpt, tmp_path / 'partial.pth')
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'test.py'), cfg, str(tmp_path / 'partial.pth'),
                          '--work-dir', str(tmp_path / 'work')], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert res.returncode != 0
    assert 'missing (1): ' + dropped in res.stderr and 'unexpected (1): generator.block99.weight' in res.stderr
    assert not (tmp_path / 'work' / 'test_results.md').exists()
