"""The paper config on TextZoom-format data without glyph keys: GEM masks from GLYPH_CACHE, checked before training."""
import os
import subprocess
import sys

import numpy as np
import pytest
from mmengine.config import Config

from glyphsr_mm.glyph.mask_cache import GlyphMaskCacheWriter, encode_record, record_key
from glyphsr_mm.glyph.mask_sources import GlyphMasksMissing, check_training_masks, training_mask_sources
from glyphsr_mm.datasets import TextZoomLMDB
from tests.conftest import ROOT, TEST_DATA

CROPS = os.path.join(TEST_DATA, 'real_word_crops')


def real_textzoom(root):
    """TextZoom's layout (train1, train2, test/{easy,medium,hard}) from the real crops, made with the user's tool
    (tools/dataset_converters/images_to_lmdb.py --make-lr): HR and LR images and labels, no glyph keys."""
    for split in ('train1', 'train2', 'test/easy', 'test/medium', 'test/hard'):
        subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'dataset_converters', 'images_to_lmdb.py'),
                        os.path.join(CROPS, 'labels.tsv'), str(root / split), '--make-lr'], check=True,
                       capture_output=True, cwd=ROOT)
    return root


@pytest.fixture(scope='module')
def textzoom(tmp_path_factory):
    return real_textzoom(tmp_path_factory.mktemp('textzoom'))


def paper_config(textzoom, cache):
    os.environ.update(TEXTZOOM_ROOT=str(textzoom), GLYPH_CACHE=str(cache))
    try:
        return Config.fromfile(os.path.join(ROOT, 'configs', 'glyphsr_textzoom.py'))
    finally:
        del os.environ['TEXTZOOM_ROOT'], os.environ['GLYPH_CACHE']


def test_every_textzoom_config_reads_gem_masks_or_kmeans_never_stored_render_masks(textzoom, tmp_path):
    os.environ.update(TEXTZOOM_ROOT=str(textzoom), GLYPH_CACHE=str(tmp_path / 'cache'))
    try:
        folder = os.path.join(ROOT, 'configs', 'glyphsr')
        configs = ['glyphsr_textzoom.py'] + [os.path.join('glyphsr', f) for f in sorted(os.listdir(folder))]
        for name in configs:
            cfg = Config.fromfile(os.path.join(ROOT, 'configs', name))
            sources = [src for _, src in training_mask_sources(cfg)]
            if cfg.model.get('glyph_loss') is None:
                continue  # Baseline1: no glyph supervision
            assert len(sources) == 1, name
            src = sources[0]
            assert src['mode'] in ('sam', 'kmeans'), name
            assert src['cache'] == str(tmp_path / 'cache') if src['mode'] == 'sam' else src['cache'] is None, name
    finally:
        del os.environ['TEXTZOOM_ROOT'], os.environ['GLYPH_CACHE']


def test_missing_cache_fails_before_training_naming_the_command(textzoom, tmp_path):
    env = {**os.environ, 'TEXTZOOM_ROOT': str(textzoom), 'GLYPH_CACHE': str(tmp_path / 'no_cache'),
           'PYTHONPATH': ROOT}
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'train.py'),
                          os.path.join(ROOT, 'configs', 'glyphsr_textzoom.py'), '--work-dir', str(tmp_path / 'work')],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert res.returncode != 0
    assert f'the glyph-mask cache {tmp_path / "no_cache"} (GLYPH_CACHE) does not exist' in res.stderr
    assert (f'python tools/extract_glyphs.py configs/glyph/gem_sam_vit_b_textzoom.py --out {tmp_path / "no_cache"}'
            in res.stderr)
    assert not (tmp_path / 'work').exists() or not any((tmp_path / 'work').rglob('*.pth'))


def test_partial_cache_names_how_many_samples_lack_masks(textzoom, tmp_path):
    cache = tmp_path / 'cache'
    cfg = paper_config(textzoom, cache)
    db = TextZoomLMDB(str(textzoom / 'train1'))
    n, k = len(db), len(db) // 2
    line = np.ones((32, 128), bool)
    writer = GlyphMaskCacheWriter(str(cache))
    writer.write([(record_key(db, i), encode_record(np.zeros((0, 32, 128), bool), line)) for i in range(1, k + 1)],
                 meta=dict(mode='sam'))
    writer.close()
    # The cache is keyed by content: train2 holds the same crops, so it lacks the same n - k samples as train1.
    with pytest.raises(GlyphMasksMissing, match=rf'{2 * (n - k)} of {2 * n} training samples have no sam glyph masks'):
        check_training_masks(cfg)
    writer = GlyphMaskCacheWriter(str(cache))
    writer.write([(record_key(db, i), encode_record(np.zeros((0, 32, 128), bool), line)) for i in range(k + 1, n + 1)])
    writer.close()
    check_training_masks(cfg)  # complete now


def test_glyph_mode_variable_sets_every_gem_config_and_a_cache_of_another_kind_is_refused(textzoom, tmp_path):
    cache = tmp_path / 'cache'
    db = TextZoomLMDB(str(textzoom / 'train1'))
    writer = GlyphMaskCacheWriter(str(cache))
    writer.write([(record_key(db, i), encode_record(np.zeros((0, 32, 128), bool), np.ones((32, 128), bool)))
                  for i in range(1, len(db) + 1)], meta=dict(mode='kmeans'))
    writer.close()
    os.environ.update(TEXTZOOM_ROOT=str(textzoom), GLYPH_CACHE=str(cache), GLYPH_MODE='kmeans')
    try:
        for name in ('glyphsr_textzoom.py', 'glyphsr/edsr_gfm_textzoom.py', 'glyphsr/rrdbnet_gfm_textzoom.py'):
            cfg = Config.fromfile(os.path.join(ROOT, 'configs', name))
            (_, src), = training_mask_sources(cfg)
            assert (src['mode'], src['cache']) == ('kmeans', str(cache)), name
        check_training_masks(cfg)  # a K-means cache trains with GLYPH_MODE=kmeans
    finally:
        del os.environ['TEXTZOOM_ROOT'], os.environ['GLYPH_CACHE'], os.environ['GLYPH_MODE']
    from glyphsr_mm.transforms import GlyphExtraction
    sam = [t for t in paper_config(textzoom, cache).train_dataloader.dataset.pipeline
           if t['type'] == 'GlyphExtraction'][0]
    with pytest.raises(ValueError, match=f"{cache} holds 'kmeans' masks, the config asks for 'sam'"):
        step = GlyphExtraction(**{k: v for k, v in sam.items() if k != 'type'})
        step({'lmdb_path': str(textzoom / 'train1'), 'index': 1, 'img_hr': np.zeros((32, 128, 3), np.uint8)})
