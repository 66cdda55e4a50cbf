"""tools/reproduction_study.py: the Table 2 layout, the ordering verdicts, and a tiny end-to-end study that reuses
its finished runs."""
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

from glyphsr_mm.cli import reproduction_study as study  # noqa: E402


def metrics(avg, psnr=20.0, ssim=0.5, minutes=1.0):
    m = {f'rapidocr/{c}/word_acc': avg + d for c, d in zip(study.COLS, (10, 0, -10, 0))}
    m.update(PSNR=psnr, SSIM=ssim, minutes=minutes)
    m.update({f'rapidocr/{c}/word_acc_LR': 40.0 for c in study.COLS})
    m.update({f'rapidocr/{c}/word_acc_HR': 100.0 for c in study.COLS})
    return m


def test_table_gives_mean_and_std_over_seeds_in_table_2_layout():
    results = {'baseline1': {0: metrics(40, psnr=20.0), 1: metrics(44, psnr=21.0)},
               'glyphsr': {0: metrics(50, ssim=0.6), 1: metrics(50, ssim=0.6)}}
    lines = study.table(results, results['baseline1'][0])
    assert lines[0] == ('| method | GPM | GFM | pseudo labels | easy | medium | hard | average | PSNR | SSIM |')
    rows = {line.split('|')[1].strip(): line for line in lines[2:]}
    assert list(rows) == ['bicubic LR', 'Baseline1', 'GlyphSR', 'HR']
    # mean 42, sample std of (40, 44) = 2.83; easy is average + 10
    assert '| 52.0 ± 2.8 | 42.0 ± 2.8 | 32.0 ± 2.8 | 42.0 ± 2.8 | 20.50 ± 0.71 | 0.5000 ± 0.0000 |' in rows['Baseline1']
    assert rows['GlyphSR'].startswith('| GlyphSR | ✓ | ✓ | render line + char | 60.0 ± 0.0 |')
    assert rows['bicubic LR'].count('40.0') == 4 and rows['HR'].count('100.0') == 4


def test_ordering_says_whether_the_papers_order_holds_per_pair():
    results = {'baseline1': {0: metrics(40), 1: metrics(40)},
               'baseline2': {0: metrics(45), 1: metrics(41)},   # higher in both seeds
               'wo_gfm': {0: metrics(50), 1: metrics(40)},      # higher on the mean, lower in seed 1
               'glyphsr': {0: metrics(44), 1: metrics(44)}}     # lower than w/o GFM on the mean
    verdicts = study.ordering(results)
    assert verdicts[0].startswith('- Baseline2 vs Baseline1: +3.0 points') and 'in 2 of 2 seeds' in verdicts[0]
    assert verdicts[0].endswith('order holds.')
    assert 'in 1 of 2 seeds' in verdicts[1] and verdicts[1].endswith('holds on the mean only.')
    assert verdicts[2].startswith('- GlyphSR vs w/o GFM: -1.0 points') and verdicts[2].endswith('does not hold.')
    # a method left out of the study is skipped, not compared against a missing row
    assert len(study.ordering({k: results[k] for k in ('baseline1', 'glyphsr')})) == 1


def test_versus_bicubic_counts_the_seeds_above_the_lr_row():
    results = {'baseline1': {0: metrics(38), 1: metrics(39)}, 'glyphsr': {0: metrics(43), 1: metrics(39)}}
    lines = study.versus_bicubic(results, metrics(0))  # bicubic LR: 40.0 on every subset
    assert lines == ['- Baseline1: -1.5 points over bicubic LR (40.0); higher in 0 of 2 seeds.',
                     '- GlyphSR: +1.0 points over bicubic LR (40.0); higher in 1 of 2 seeds.']


def test_gem_method_needs_a_sam_checkpoint(monkeypatch, tmp_path):
    monkeypatch.delenv('SAM_CHECKPOINT', raising=False)
    with pytest.raises(SystemExit, match='glyphsr_gem trains on SAM GEM masks: set SAM_CHECKPOINT'):
        study.main(['--methods', 'glyphsr', 'glyphsr_gem', '--data', str(tmp_path / 'none')])
    assert not (tmp_path / 'none').exists()  # refused before making data or training anything


pytest.importorskip('mmagic')
pytest.importorskip('rapidocr')
pytest.importorskip('easyocr_en_models')


def run_study(tmp_path):
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'reproduction_study.py'),
                          '--data', str(tmp_path / 'data'), '--work-dir', str(tmp_path / 'work'),
                          '--out', str(tmp_path / 'report.md'), '--methods', 'baseline2', 'glyphsr',
                          '--seeds', '3', '--iters', '2', '--batch-size', '4', '--num-train', '16', '--num-test', '2'],
                         capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return res.stdout


def test_study_trains_tests_and_reports_then_reuses_its_runs(tmp_path):
    out = run_study(tmp_path)
    assert '== Baseline2, seed 3 ==' in out and '== GlyphSR, seed 3 ==' in out and 'GEM' not in out
    work = tmp_path / 'work'
    for run in ('baseline2_seed3', 'glyphsr_seed3'):
        assert (work / run / 'iter_2.pth').exists() and (work / run / 'test_results.json').exists()
    # Baseline2 learns from the K-means line mask alone; GlyphSR from line, character and class targets
    b2, gsr = (work / 'baseline2_seed3' / 'train.log').read_text(), (work / 'glyphsr_seed3' / 'train.log').read_text()
    assert 'loss_glyph_line' in b2 and 'loss_glyph_char' not in b2
    assert 'loss_glyph_char' in gsr and 'loss_glyph_cls' in gsr
    assert 'Iter(val)' not in b2 + gsr  # no validation: the final checkpoint is what gets tested
    report = (tmp_path / 'report.md').read_text()
    for row in ('| bicubic LR |', '| Baseline2 | ✓ | ✓ | K-means line |', '| GlyphSR | ✓ | ✓ |', '| HR |'):
        assert row in report
    assert '16 training pairs; test 2 / 2 / 2 images' in report and '- GlyphSR vs Baseline2:' in report
    again = run_study(tmp_path)
    assert again.count('reusing') == 4 and 'Iter(train)' not in again
    # the same report, tables and training minutes included; only this invocation's own duration may differ
    def strip(text):
        return re.sub(r'this invocation took \d+ min', '', text)
    assert strip((tmp_path / 'report.md').read_text()) == strip(report)
    assert '- GlyphSR: ' in report and 'points over bicubic LR' in report
