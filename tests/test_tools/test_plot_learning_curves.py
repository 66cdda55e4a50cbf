"""tools/analysis/plot_learning_curves.py reads MMEngine's scalars.json of (resumed) runs and places each
validation row at the iteration it followed."""
import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def write_run(work, parts):
    for stamp, rows in parts.items():
        os.makedirs(work / stamp / 'vis_data')
        with open(work / stamp / 'vis_data' / 'scalars.json', 'w') as f:
            f.writelines(json.dumps(r) + '\n' for r in rows)


def test_curves_table_and_png(tmp_path):
    train = lambda it: {'loss': 1.0 / it, 'step': it}  # noqa: E731
    val = lambda acc, psnr: {'rapidocr/average/word_acc': acc, 'PSNR': psnr, 'step': 0}  # noqa: E731
    # a run interrupted after its first validation and resumed (a second timestamp folder) that re-validates 500
    write_run(tmp_path / 'a', {'20260101_000000': [train(250), train(500), val(30.0, 21.0)],
                               '20260101_010000': [train(500), val(31.0, 21.1), train(1000), val(40.0, 21.5)]})
    write_run(tmp_path / 'b', {'20260101_000000': [train(500), val(28.0, 21.2)]})
    out = tmp_path / 'curves.png'
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'analysis', 'plot_learning_curves.py'),
                          f'A={tmp_path / "a"}', f'B={tmp_path / "b"}', '--out', str(out), '--table',
                          str(tmp_path / 't.md'), '--reference', 'rapidocr=44.7'], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    assert out.stat().st_size > 1000
    lines = (tmp_path / 't.md').read_text().splitlines()
    assert lines[0] == '| run | iteration | rapidocr/average/word_acc | PSNR |'
    assert lines[2:] == ['| A | 500 | 31.00 | 21.10 |', '| A | 1000 | 40.00 | 21.50 |', '| B | 500 | 28.00 | 21.20 |']


def test_runs_under_one_name_are_seeds(tmp_path):
    train = lambda it: {'loss': 1.0, 'step': it}  # noqa: E731
    val = lambda acc: {'rapidocr/average/word_acc': acc, 'step': 0}  # noqa: E731
    write_run(tmp_path / 's0', {'20260101_000000': [train(500), val(30.0), train(1000), val(40.0)]})
    write_run(tmp_path / 's1', {'20260101_000000': [train(500), val(34.0)]})  # the second seed stopped earlier
    write_run(tmp_path / 'b', {'20260101_000000': [train(500), val(28.0)]})
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'analysis', 'plot_learning_curves.py'),
                          f'A={tmp_path / "s0"}', f'A={tmp_path / "s1"}', f'B={tmp_path / "b"}', '--out',
                          str(tmp_path / 'c.png'), '--table', str(tmp_path / 't.md')], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    lines = (tmp_path / 't.md').read_text().splitlines()
    assert lines[0] == '| run | iteration | seeds | rapidocr/average/word_acc |'
    # mean ± sample std of 30 and 34; iteration 1000 has one seed
    assert lines[2:] == ['| A | 500 | 2 | 32.00 ± 2.83 |', '| A | 1000 | 1 | 40.00 |', '| B | 500 | 1 | 28.00 |']
