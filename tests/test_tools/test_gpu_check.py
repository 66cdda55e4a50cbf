"""tools/gpu_check.sh --dry-run: every step of the GPU check runs on CPU at tiny sizes and writes the table; a
step that breaks is one 'failed' row and the others still run."""
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytest.importorskip('mmagic')

STEPS = {'environment', 'CUDA tests', 'deform conv', 'train step', 'GEM', 'evaluators'}


def test_dry_run_writes_every_row_of_the_table(tmp_path):
    res = subprocess.run(['bash', os.path.join(ROOT, 'tools', 'gpu_check.sh'), '--dry-run', '--out', str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=900,
                         env={**os.environ, 'PY': sys.executable, 'OUT': ''})
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    report = json.loads((tmp_path / 'gpu_check.json').read_text())
    assert report['dry_run'] and report['device'] == 'cpu'
    rows = report['rows']
    assert {r['step'] for r in rows} == STEPS
    assert not [r for r in rows if r['status'] == 'failed']
    cases = {r['case']: r for r in rows}
    for name in ('Baseline1', 'GlyphSR'):
        for precision in ('fp32', 'AMP (bf16 autocast)'):
            assert cases[f'{name}, batch 2, {precision}']['value'].endswith('images/s')
    assert cases['GlyphSR / Baseline1 step time, fp32']['value'].endswith('x')
    assert {c for c in cases if c.startswith('SAM tiny')} == {'SAM tiny (random weights), 1 crops, fp32',
                                                              'SAM tiny (random weights), 1 crops, bf16'}
    assert [c.split(' ')[0] for c in cases if '(TextZoom layout)' in c] == ['CRNN', 'MORAN', 'ASTER']
    # without CUDA the CUDA tests skip: reported as missing, not as passed
    assert cases['pytest -m cuda tests/test_cuda.py']['status'] == 'missing'
    # the deformable conv rows: torchvision always; mmcv against it where mmcv has CPU kernels
    from glyphsr_mm.models.layers.deform_conv import mmcv_ops_available
    dcn = [r for r in rows if r['step'] == 'deform conv']
    if mmcv_ops_available():
        diff = next(r for r in dcn if r['case'].endswith('mmcv vs torchvision'))
        assert diff['status'] == 'ok' and float(diff['value'].split()[-1]) <= 1e-4
    table = (tmp_path / 'gpu_check.md').read_text()
    assert '| step | case | result | status | note | step s |' in table and 'dry run on CPU' in table
    assert table.count('\n| ') == len(rows) + 2  # header, rule, one line per row


def test_a_broken_step_is_a_failed_row_and_the_others_still_run(monkeypatch):
    from glyphsr_mm.cli import gpu_check

    def broken(dev, size):
        raise RuntimeError('no kernel image is available for execution on the device')
    monkeypatch.setitem(gpu_check.STEPS, 'deform_conv', broken)
    rows = gpu_check.run_checks('cpu', dry_run=True, steps=('deform_conv', 'environment'))
    assert rows[0]['step'] == 'deform_conv' and rows[0]['status'] == 'failed'
    assert 'no kernel image' in rows[0]['note']
    assert [r['step'] for r in rows[1:]] == ['environment'] * len(rows[1:]) and len(rows) >= 3
