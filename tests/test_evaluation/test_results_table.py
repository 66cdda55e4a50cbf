"""Table 1 from metric keys: rows per recognizer and image kind, the mean over recognizers, PSNR/SSIM and the
share of the bicubic-to-HR gap closed on SR."""
import pytest

from glyphsr_mm.evaluation.results_table import gap_closed, markdown_table, table_rows


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
    assert lines[2] == '| recognizer | images | easy | medium | hard | average | gap closed (%) | PSNR | SSIM |'
    # CRNN: bicubic 6, SR 36, HR 66 on average: SR closes half of the gap
    assert '| CRNN | SR | 40.0 | 35.0 | 30.0 | 36.0 | 50.0 | 21.50 | 0.7512 |' in lines
    assert '| ASTER | LR (bicubic) | 20.0 | 15.0 | 10.0 | 16.0 |  | — | — |' in lines
    with pytest.raises(ValueError, match='TextRecognitionAccuracy'):
        markdown_table({'PSNR': 20.0})


def test_gap_closed():
    assert gap_closed(26.8, 62.1, 72.4) == pytest.approx(77.4, abs=0.05)  # the paper's CRNN row on TextZoom
    assert gap_closed(40.0, 30.0, 60.0) == pytest.approx(-50.0)  # SR below bicubic: negative
    assert gap_closed(40.0, 50.0, 40.0) is None and gap_closed(None, 1.0, 2.0) is None  # no gap / missing row
    m = metrics()
    m['ASTER/average/word_acc_HR'] = 10.0  # HR below bicubic: no gap to close, the cell stays empty
    rows = {(r['recognizer'], r['row']): r for r in table_rows(m)}
    assert rows[('CRNN', 'SR')]['gap closed'] == pytest.approx(50.0) and rows[('ASTER', 'SR')]['gap closed'] is None
