"""The dataset tools: images -> LMDB (on the real crops), LMDB -> images, and the inspector."""
import os
import subprocess
import sys

import pytest

from glyphsr_mm.datasets import TextZoomDataset

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CROPS = os.path.join(ROOT, 'tests', 'data', 'real_word_crops')
TOOLS = os.path.join(ROOT, 'tools', 'dataset_converters')


def run(script, *args):
    return subprocess.run([sys.executable, os.path.join(TOOLS, script), *map(str, args)], capture_output=True,
                          text=True)


@pytest.fixture(scope='module')
def crops_lmdb(tmp_path_factory):
    out = tmp_path_factory.mktemp('lmdb') / 'real'
    res = run('images_to_lmdb.py', os.path.join(CROPS, 'labels.tsv'), out, '--make-lr')
    assert res.returncode == 0, res.stderr
    return str(out)


def test_real_crops_round_trip_through_lmdb(crops_lmdb, tmp_path):
    with open(os.path.join(CROPS, 'labels.tsv')) as f:
        labels = [line.rstrip('\n').split('\t')[1] for line in f][1:]
    ds = TextZoomDataset(crops_lmdb, voc_type='all')
    assert [d['gt_text_raw'] for d in ds.load_data_list()] == labels
    res = run('lmdb_to_images.py', crops_lmdb, tmp_path / 'png')
    assert res.returncode == 0, res.stderr
    assert len(os.listdir(tmp_path / 'png' / 'hr')) == len(labels) == 14
    import cv2
    lr = cv2.imread(str(tmp_path / 'png' / 'lr' / '000001.png'))
    hr = cv2.imread(str(tmp_path / 'png' / 'hr' / '000001.png'))
    original = cv2.imread(os.path.join(CROPS, '1223731.jpg'))
    assert lr.shape == (16, 64, 3) and hr.shape == original.shape
    assert (hr.astype(int) - original).__abs__().max() == 0  # HR stored losslessly (PNG of the decoded JPEG)
    with open(tmp_path / 'png' / 'labels.txt') as f:
        assert f.readline() == '000001.png\tGRAND\n'


def test_inspector_reports_and_flags_bad(crops_lmdb, tmp_path):
    res = run('inspect_lmdb.py', crops_lmdb, '--json', tmp_path / 's.json')
    assert res.returncode == 0, res.stderr
    assert '14 records, 0 bad' in res.stdout and "'16x64': 14" in res.stdout
    from glyphsr_mm.datasets import TextZoomLMDBWriter
    bad = tmp_path / 'bad'
    with TextZoomLMDBWriter(str(bad)) as w:
        w.add('ok', lr=b'garbage')
    res = run('inspect_lmdb.py', bad)
    assert res.returncode == 1 and 'bad[1]: image_lr cannot be decoded' in res.stdout


def test_clear_errors(tmp_path):
    res = run('inspect_lmdb.py', tmp_path / 'missing')
    assert res.returncode == 1 and 'TextZoom LMDB folder not found' in res.stderr
    (tmp_path / 'l.tsv').write_text('no tab here\n')
    res = run('images_to_lmdb.py', tmp_path / 'l.tsv', tmp_path / 'o', '--make-lr')
    assert res.returncode == 1 and 'l.tsv:1: expected "file<TAB>label"' in res.stderr


def test_resized_lmdb_gives_bit_identical_samples(crops_lmdb, tmp_path):
    from glyphsr_mm.transforms import LoadTextZoomImages
    res = run('resize_lmdb.py', crops_lmdb, tmp_path / 'sized')
    assert res.returncode == 0, res.stderr
    load = LoadTextZoomImages(lr_size=(16, 64), hr_size=(32, 128))
    for i in range(1, 15):
        a = load(dict(lmdb_path=crops_lmdb, index=i))
        b = load(dict(lmdb_path=str(tmp_path / 'sized'), index=i))
        assert a['ori_gt_shape'] != b['ori_gt_shape'] == (32, 128, 3)  # the original really was resampled
        assert (a['gt'] == b['gt']).all() and (a['img'] == b['img']).all()
    assert TextZoomDataset(str(tmp_path / 'sized')).get_data_info(0)['gt_text'] == 'GRAND'
