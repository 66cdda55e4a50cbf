
import numpy as np
import pytest
from mmengine.registry import init_default_scope

from glyphsr_mm.datasets import TextZoomDataset, TextZoomLMDB, TextZoomLMDBError, TextZoomLMDBWriter


def _img(h, w, seed):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def make_lmdb(path, labels, bad=()):
    """Write a small TextZoom LMDB; ``bad`` lists (index, kind) defects to plant."""
    with TextZoomLMDBWriter(str(path)) as w:
        for i, label in enumerate(labels, 1):
            w.add(label, lr=_img(16, 64, i), hr=_img(32, 128, 100 + i))
        for index, kind in bad:
            if kind == 'no_label':
                w.put_raw(b'label-%09d' % index, b'')  # empty label
            elif kind == 'non_utf8':
                w.put_raw(b'label-%09d' % index, b'\xff\xfeab')
            elif kind == 'bad_image':
                w.put_raw(b'image_hr-%09d' % index, b'not an image')
    return str(path)


def test_reads_labels_subset_and_indices(tmp_path):
    root = make_lmdb(tmp_path / 'easy', ['Hello', 'W0rld!', 'abc'])
    ds = TextZoomDataset(root, voc_type='all')
    assert len(ds) == 3
    info = ds.get_data_info(1)
    assert info['gt_text'] == 'W0rld!' and info['index'] == 2 and info['subset'] == 'easy'
    assert info['lmdb_path'] == root


@pytest.mark.parametrize('voc,expected', [('digits', '0'), ('lower', 'w0rld'), ('upper', 'W0rld'),
                                          ('all', 'W0rld!')])
def test_voc_types(tmp_path, voc, expected):
    ds = TextZoomDataset(make_lmdb(tmp_path / 'train1', ['W0 rld!']), voc_type=voc)
    assert ds.get_data_info(0)['gt_text'] == expected
    assert ds.get_data_info(0)['gt_text_raw'] == 'W0 rld!'


def test_max_len_filter_really_drops_and_counts(tmp_path):
    root = make_lmdb(tmp_path / 'train1', ['short', 'exactly10c', 'elevenchars'])
    ds = TextZoomDataset(root, max_len=10)
    assert [d['gt_text'] for d in ds.load_data_list()] == ['short', 'exactly10c']
    assert ds.stats[root]['dropped'] == {'longer than max_len=10': 1}


def test_several_roots_concatenate(tmp_path):
    a = make_lmdb(tmp_path / 'train1', ['a', 'b'])
    b = make_lmdb(tmp_path / 'train2', ['c'])
    ds = TextZoomDataset([a, b])
    assert [(d['subset'], d['gt_text']) for d in ds.load_data_list()] == [('train1', 'a'), ('train1', 'b'),
                                                                          ('train2', 'c')]


def test_bad_labels_skip_or_raise_with_path_and_index(tmp_path):
    root = make_lmdb(tmp_path / 'hard', ['ok', 'x', 'fine'], bad=[(2, 'non_utf8')])
    ds = TextZoomDataset(root, on_bad_sample='skip')
    assert [d['gt_text'] for d in ds.load_data_list()] == ['ok', 'fine']
    with pytest.raises(TextZoomLMDBError, match=r'hard\[2\]: label is not UTF-8'):
        TextZoomDataset(root, on_bad_sample='raise')
    root = make_lmdb(tmp_path / 'easy', ['ok', 'x'], bad=[(1, 'no_label')])
    with pytest.raises(TextZoomLMDBError, match=r'easy\[1\]: label is empty'):
        TextZoomDataset(root, on_bad_sample='raise')


def test_missing_image_key(tmp_path):
    root = str(tmp_path / 'medium')
    with TextZoomLMDBWriter(root) as w:
        w.add('a', lr=_img(16, 64, 0), hr=_img(32, 128, 0))
        w.add('b', lr=_img(16, 64, 1))  # no HR
    with pytest.raises(TextZoomLMDBError, match=r'medium\[2\]: key image_hr-000000002 is missing'):
        TextZoomDataset(root, on_bad_sample='raise')
    assert len(TextZoomDataset(root, on_bad_sample='skip')) == 1
    assert len(TextZoomDataset(root, require_hr=False)) == 2  # LR-only inference


def test_not_an_lmdb_and_bad_num_samples(tmp_path):
    (tmp_path / 'plain').mkdir()
    with pytest.raises(TextZoomLMDBError, match='(?s)not an LMDB folder.*num-samples'):
        TextZoomDataset(str(tmp_path / 'plain'))
    with pytest.raises(TextZoomLMDBError, match='not found'):
        TextZoomDataset(str(tmp_path / 'nowhere'))
    root = str(tmp_path / 'badn')
    with TextZoomLMDBWriter(root) as w:
        w.add('a', lr=_img(16, 64, 0), hr=_img(32, 128, 0))
    import lmdb
    env = lmdb.open(root)
    with env.begin(write=True) as txn:
        txn.put(b'num-samples', b'twelve')
    env.close()
    with pytest.raises(TextZoomLMDBError, match='"num-samples" is not an integer'):
        TextZoomDataset(root)


def test_reader_pickles_and_shares_one_handle_per_process(tmp_path):
    import pickle
    path = make_lmdb(tmp_path / 'easy', ['a'])
    db = TextZoomLMDB(path)
    assert len(db) == 1
    db2 = pickle.loads(pickle.dumps(db))
    assert db2.env is db.env and db2.read_label(1) == 'a'
    # A worker process opens its own handle.
    import multiprocessing as mp
    with mp.get_context('spawn').Pool(1) as pool:
        assert pool.apply(TextZoomLMDB.read_label, (db, 1)) == 'a'


def test_pipeline_shapes_dtypes_and_packing(tmp_path):
    init_default_scope('mmagic')
    root = make_lmdb(tmp_path / 'easy', ['Hi5'])
    pipeline = [
        dict(type='LoadTextZoomImages'),
        dict(type='Resize', keys='img', scale=(64, 16), keep_ratio=False, interpolation='bicubic',
             backend='pillow'),
        dict(type='Resize', keys='gt', scale=(128, 32), keep_ratio=False, interpolation='bicubic',
             backend='pillow'),
        dict(type='AddTextMaskChannel'),
        dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset', 'index', 'lmdb_path']),
    ]
    out = TextZoomDataset(root, pipeline=pipeline)[0]
    inputs, sample = out['inputs'], out['data_samples']
    assert tuple(inputs.shape) == (4, 16, 64)
    assert tuple(sample.gt_img.shape) == (4, 32, 128)
    assert set(np.unique(inputs[3].numpy())) <= {0, 255}
    assert sample.metainfo['gt_text'] == 'Hi5' and sample.metainfo['subset'] == 'easy'
    assert 'gt_text' not in sample.keys()  # a meta key, not data


def test_bad_image_is_named_at_load_time(tmp_path):
    init_default_scope('mmagic')
    root = make_lmdb(tmp_path / 'easy', ['a', 'b'], bad=[(2, 'bad_image')])
    ds = TextZoomDataset(root, pipeline=[dict(type='LoadTextZoomImages')], test_mode=True)
    assert ds[0]['gt'].shape == (32, 128, 3)
    with pytest.raises(TextZoomLMDBError, match=r'easy\[2\]: image_hr cannot be decoded'):
        ds[1]


def test_dataset_skip_policy_reaches_the_loader_in_training(tmp_path):
    """One setting: the dataset's on_bad_sample='skip' also skips an undecodable image at load time (MMEngine draws
    another sample) and the loader keeps the names of the skipped samples for the log; 'raise' raises."""
    init_default_scope('mmagic')
    root = make_lmdb(tmp_path / 'train', ['a', 'b', 'c'], bad=[(2, 'bad_image')])
    ds = TextZoomDataset(root, pipeline=[dict(type='LoadTextZoomImages')], on_bad_sample='skip')
    assert len(ds) == 3  # the record is valid until its image is decoded
    load = ds.pipeline.transforms[0]
    for _ in range(3):  # MMEngine's refetch draws at random and may hit the bad sample again: named once
        sample = ds[1]
        assert sample['index'] != 2 and sample['gt'].shape == (32, 128, 3)
    assert load.skipped == [f'{root}#2'] and load.skip_count >= 3
    strict = TextZoomDataset(root, pipeline=[dict(type='LoadTextZoomImages')], on_bad_sample='raise')
    with pytest.raises(TextZoomLMDBError, match=r'train\[2\]: image_hr cannot be decoded'):
        strict[1]
    explicit = TextZoomDataset(root, pipeline=[dict(type='LoadTextZoomImages', on_bad_sample='raise')])
    with pytest.raises(TextZoomLMDBError):  # a transform's own setting overrides the dataset's
        explicit[1]


def test_load_resizes_like_mmagic_pillow_resize_and_skips_at_size(tmp_path):
    init_default_scope('mmagic')
    from mmagic.datasets.transforms import Resize

    from glyphsr_mm.transforms import LoadTextZoomImages
    root = str(tmp_path / 'train1')
    with TextZoomLMDBWriter(root) as w:
        w.add('odd', lr=_img(20, 70, 1), hr=_img(37, 150, 2))  # real TextZoom sizes vary
        w.add('fit', lr=_img(16, 64, 3), hr=_img(32, 128, 4))
    load = LoadTextZoomImages(lr_size=(16, 64), hr_size=(32, 128))
    out = load(dict(lmdb_path=root, index=1))
    raw = LoadTextZoomImages()(dict(lmdb_path=root, index=1))
    assert out['img'].shape == (16, 64, 3) and out['gt'].shape == (32, 128, 3)
    assert out['ori_img_shape'] == (20, 70, 3) and out['ori_gt_shape'] == (37, 150, 3)
    ref = Resize(keys='gt', scale=(128, 32), keep_ratio=False, interpolation='bicubic', backend='pillow')(raw)
    np.testing.assert_array_equal(out['gt'], ref['gt'])
    fast = LoadTextZoomImages(lr_size=(16, 64), hr_size=(32, 128), resize_backend='cv2')(dict(lmdb_path=root, index=1))
    import cv2
    stored = LoadTextZoomImages()(dict(lmdb_path=root, index=1))['gt']  # (MMagic's Resize replaced raw['gt'])
    np.testing.assert_array_equal(fast['gt'], cv2.resize(stored, (128, 32), interpolation=cv2.INTER_CUBIC))
    assert not np.array_equal(fast['gt'], out['gt'])  # the backends differ: PIL is TextZoom's reference
    fit = load(dict(lmdb_path=root, index=2))
    np.testing.assert_array_equal(fit['gt'], _img(32, 128, 4))  # already at size: untouched
