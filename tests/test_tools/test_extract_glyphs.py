"""tools/extract_glyphs.py: SAM/K-means/render caches, the GlyphExtraction transform, kill-and-resume, torchrun."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from glyphsr_mm.glyph import build_sam
from glyphsr_mm.glyph.extraction import list_samples
from glyphsr_mm.glyph.mask_cache import GlyphMaskCache, GlyphMaskCacheWriter, cache_keys
from glyphsr_mm.transforms import GlyphExtraction, LoadTextZoomGlyphMasks
from glyphsr_mm.transforms.loading import LoadTextZoomImages
from tests.conftest import ROOT
from tests.tiny_glyphsr import TINY_TBSRN, make_synthetic

TOOL = os.path.join(ROOT, 'tools', 'extract_glyphs.py')


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """A tiny synthetic set (8 train + 3 x 4 test), a tiny SAM and a tiny TBSRN saved as checkpoints, a GEM config."""
    from glyphsr_mm.models.recognizers import TBSRNTransformerRecognizer
    tmp = tmp_path_factory.mktemp('gem')
    data = make_synthetic(tmp / 'data', num_train=8, num_test=4, seed=5)
    torch.manual_seed(0)
    torch.save(build_sam('tiny', allow_random=True).state_dict(), tmp / 'sam_tiny.pth')
    rec = {k: v for k, v in TINY_TBSRN.items() if k not in ('type', 'allow_random', 'checkpoint')}
    torch.save(TBSRNTransformerRecognizer(**rec, allow_random=True).state_dict(), tmp / 'tbsrn_tiny.pth')
    roots = [os.path.join(data, 'train')] + [os.path.join(data, 'test', s) for s in ('easy', 'medium', 'hard')]
    extractor = dict(type='SAMGlyphExtractor', sam=dict(model_type='tiny', checkpoint=str(tmp / 'sam_tiny.pth')),
                     recognizer=dict(TINY_TBSRN, allow_random=False, checkpoint=str(tmp / 'tbsrn_tiny.pth')),
                     steps=(2, ), tau=0.0)
    config = tmp / 'gem_tiny.py'
    config.write_text(f'data_roots = {roots!r}\ngem = dict(mode="sam", batch_size=2, extractor={extractor!r})\n')
    return dict(tmp=tmp, roots=roots, config=str(config), extractor=extractor)


def run_tool(config, out, *args, check=True):
    proc = subprocess.run([sys.executable, TOOL, config, '--out', str(out), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, env={**os.environ, 'PYTHONPATH': ROOT})
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def records(path):
    w = GlyphMaskCacheWriter(str(path))
    try:
        items = dict(w.items())
    finally:
        w.close()
    cache = GlyphMaskCache(str(path))
    meta = cache.meta()
    cache.db.close()
    return items, meta


def pipeline_results(sample, mode_transform):
    results = LoadTextZoomImages(hr_size=(32, 128), lr_size=(16, 64))(dict(lmdb_path=sample[0], index=sample[1]))
    from glyphsr_mm.datasets.textzoom_lmdb import TextZoomLMDB
    results['gt_text'] = TextZoomLMDB(sample[0]).read_label(sample[1])
    return mode_transform(results)


@pytest.fixture(scope='module')
def sam_cache(setup):
    out = setup['tmp'] / 'cache_sam'
    proc = run_tool(setup['config'], out, '--verify')
    assert 'verify' in proc.stdout and '20 / 20 samples ok' in proc.stdout
    return out


def test_sam_cache_matches_online_extraction(setup, sam_cache):
    recs, meta = records(sam_cache)
    assert len(recs) == 20 and meta['mode'] == 'sam'
    samples = list_samples(setup['roots'])
    cached, online = GlyphExtraction('sam', cache=str(sam_cache)), GlyphExtraction('sam', extractor=setup['extractor'])
    for sample in samples[:: 5]:
        a, b = pipeline_results(sample, cached), pipeline_results(sample, online)
        assert a['gt_char_masks'].shape == (32, 128, 16)
        assert a['gt_char_masks'].any() and np.array_equal(a['gt_char_masks'], b['gt_char_masks'])
        assert np.array_equal(a['gt_line_mask'], b['gt_line_mask'])


def test_kmeans_and_render_caches_match_their_transforms(setup):
    samples = list_samples(setup['roots'])
    for mode, online in (('kmeans', GlyphExtraction('kmeans')), ('render', LoadTextZoomGlyphMasks(required=True))):
        out = setup['tmp'] / f'cache_{mode}'
        assert '20 / 20 samples ok' in run_tool(setup['config'], out, '--mode', mode, '--verify').stdout
        cached = GlyphExtraction(mode, cache=str(out))
        for sample in samples[:: 3]:
            a, b = pipeline_results(sample, cached), pipeline_results(sample, online)
            assert np.array_equal(a['gt_line_mask'], b['gt_line_mask']) and a['gt_line_mask'].any()
            assert np.array_equal(a['gt_char_masks'], b['gt_char_masks'])
        if mode == 'kmeans':
            assert not a['gt_char_masks'].any()  # Baseline2: line masks only
    # A cache of one mode is refused for another, by the tool and by the transform.
    proc = run_tool(setup['config'], setup['tmp'] / 'cache_kmeans', '--mode', 'render', check=False)
    assert proc.returncode != 0 and "{'mode': ('kmeans', 'render')}" in proc.stderr
    with pytest.raises(ValueError, match="holds 'kmeans' masks"):
        pipeline_results(samples[0], GlyphExtraction('render', cache=str(setup['tmp'] / 'cache_kmeans')))


def test_missing_record_names_the_sample_and_the_command(setup, tmp_path):
    partial = tmp_path / 'partial'
    w = GlyphMaskCacheWriter(str(partial))
    w.write([], dict(mode='kmeans'))
    w.close()
    with pytest.raises(KeyError, match=r'train\[1\]: no glyph masks \(kmeans mode\).*tools/extract_glyphs.py'):
        pipeline_results(list_samples(setup['roots'])[0], GlyphExtraction('kmeans', cache=str(partial)))


def test_missing_sam_checkpoint_is_an_error(setup, tmp_path):
    config = tmp_path / 'gem_vit_b.py'
    config.write_text(f'data_roots = {setup["roots"]!r}\ngem = dict(mode="sam", extractor=dict('
                      f'type="SAMGlyphExtractor", sam=dict(model_type="vit_b", checkpoint="ckpts/sam.pth"), '
                      f'recognizer={setup["extractor"]["recognizer"]!r}))\n')
    proc = run_tool(str(config), tmp_path / 'c', check=False)
    assert proc.returncode != 0
    assert 'ckpts/sam.pth' in proc.stderr and 'sam_vit_b_01ec64.pth' in proc.stderr
    assert not os.path.exists(tmp_path / 'c')  # nothing half-made


def test_sigkill_then_rerun_equals_uninterrupted(setup, sam_cache, tmp_path):
    out = tmp_path / 'killed'
    cmd = [sys.executable, TOOL, setup['config'], '--out', str(out), '--chunk', '2', '--batch-size', '2']
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, 'PYTHONPATH': ROOT})
    deadline = time.time() + 300
    while len(cache_keys(str(out))) < 6 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len(cache_keys(str(out)))
    assert 6 <= done < 20, f'the kill came too late or too early ({done} of 20 cached)'
    rerun = run_tool(setup['config'], out, '--chunk', '2', '--batch-size', '2', '--verify')
    assert f'{20 - done} written, {done} already cached' in rerun.stdout, rerun.stdout
    (got, got_meta), (want, want_meta) = records(out), records(sam_cache)
    assert got_meta == want_meta and got.keys() == want.keys()
    differ = [k for k in want if got[k] != want[k]]
    assert not differ, f'{len(differ)} records differ from the uninterrupted run'  # nothing lost or duplicated


def test_two_ranks_equal_one_process(setup, sam_cache, tmp_path, torchrun):
    out = tmp_path / 'sharded'
    proc = torchrun(TOOL, setup['config'], '--out', out, '--launcher', 'pytorch', '--verify', nproc=2,
                    env={'OMP_NUM_THREADS': '1'})
    assert 'merged 20 records' in proc.stdout and '20 / 20 samples ok' in proc.stdout
    assert records(out) == records(sam_cache)
    assert not os.path.exists(f'{out}.shards')


def test_verify_names_broken_records(setup, tmp_path):
    out = tmp_path / 'broken'
    run_tool(setup['config'], out, '--mode', 'kmeans')
    from glyphsr_mm.glyph.mask_cache import encode_record, record_key
    from glyphsr_mm.datasets.textzoom_lmdb import TextZoomLMDB
    samples = list_samples(setup['roots'])
    first, second = (record_key(TextZoomLMDB(s[0]), s[1]) for s in samples[:2])
    w = GlyphMaskCacheWriter(str(out))
    w.write([(first, b'garbage'), (second, encode_record(np.zeros((2, 32, 128), bool), np.zeros((32, 128), bool)))])
    w.close()
    proc = run_tool(setup['config'], out, '--mode', 'kmeans', '--verify', '--no-extract', check=False)
    assert proc.returncode == 1
    assert '18 / 20 samples ok' in proc.stdout
    assert 'train[1]: undecodable' in proc.stdout and 'train[2]: 2 masks' in proc.stdout
