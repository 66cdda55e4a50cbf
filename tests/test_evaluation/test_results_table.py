"""Table 1 from metric keys: rows per recognizer and image kind, the mean over recognizers, PSNR/SSIM on SR."""
import pytest

from glyphsr_mm.evaluation.results_table import markdown_table, table_rows


def metrics():
    m = {}
    for rec, base in (('CRNN', 10.), ('ASTER', 20.)):
        for row, off in (('_LR', 0.), ('', 30.), ('_HR', 60.)):
            for i, subset in enumerate(('easy', 'medium', 'hard')):
                m[f'{rec}/{subset}/word_acc{row}'] = base + off - 5 * i
            m[f'{rec}/average/word_acc{row}'] = base + off - 4
            m[f'{rec}/average/word_acc_exact{row}'] = 0.  # other modes are not part of Table 1
    m.update({'average/word_acc': 1., 'PSNR': 21.5, 'SSIM': 0.7512})
    return m


def test_rows_columns_and_mean():
    rows = table_rows(metrics())
    assert [(r['recognizer'], r['row']) for r in rows] == [
        (rec, row) for rec in ('CRNN', 'ASTER', 'mean') for row in ('LR', 'SR', 'HR')]
    crnn_sr = rows[1]
    assert (crnn_sr['easy'], crnn_sr['medium'], crnn_sr['hard'], crnn_sr['average']) == (40, 35, 30, 36)
    assert crnn_sr['PSNR'] == 21.5 and 'PSNR' not in rows[0]
    mean_hr = rows[-1]
    assert mean_hr['easy'] == pytest.approx((70 + 80) / 2) and mean_hr['average'] == pytest.approx((66 + 76) / 2)


def test_markdown_layout():
    md = markdown_table(metrics(), title='run')
    lines = md.splitlines()
    assert lines[0] == '### run'
    assert lines[2] == '| recognizer | images | easy | medium | hard | average | PSNR | SSIM |'
    assert '| CRNN | SR | 40.0 | 35.0 | 30.0 | 36.0 | 21.50 | 0.7512 |' in lines
    assert '| ASTER | LR (bicubic) | 20.0 | 15.0 | 10.0 | 16.0 | — | — |' in lines
    with pytest.raises(ValueError, match='TextRecognitionAccuracy'):
        markdown_table({'PSNR': 20.0})
