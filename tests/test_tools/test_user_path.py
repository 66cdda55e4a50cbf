"""The real user's path, end to end, with environment variables only.

TextZoom-format LMDBs built from real word crops with the user's tool (no glyph keys), random-weight checkpoints in
each official file layout the configs name (written once per session), then: GEM (sam and kmeans) with
tools/extract_glyphs.py, tools/train.py for configs/glyphsr_textzoom.py (2 iterations) and every config of
configs/glyphsr/ (1 iteration), tools/test.py on the result (Table 1: LR / SR / HR rows of CRNN, MORAN, ASTER).
Only iteration counts and batch sizes are overridden on the command line.
"""
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from tests.conftest import ROOT, TEST_DATA

pytest.importorskip('mmagic')
CROPS = os.path.join(TEST_DATA, 'real_word_crops')
# train1 + train2: 2 crops each; every test subset: 2 crops (TextZoom's layout, tiny: full-size recognizers are slow
# on CPU).
SPLITS = {'train1': range(0, 2), 'train2': range(2, 4), 'test/easy': range(4, 6), 'test/medium': range(6, 8),
          'test/hard': range(8, 10)}


def _write_official_checkpoints(out):
    """Random weights in the files and layouts the configs name (the real ones cannot be downloaded here)."""
    from glyphsr_mm.glyph import build_sam
    from glyphsr_mm.models.recognizers import (ASTERRecognizer, MMOCRRecognizer, MORANRecognizer, PARSeqRecognizer,
                                               TBSRNTransformerRecognizer, TextZoomCRNN)
    torch.manual_seed(0)
    files = {
        # torch.hub's PARSeq file: the Lightning system's state dict (model.*)
        'PARSEQ_CHECKPOINT': ('parseq-bb5792a6.pt', PARSeqRecognizer, lambda s: {f'model.{k}': v for k, v in s.items()}),
        # TBSRN's file was saved from nn.DataParallel (module.*)
        'TBSRN_TRANSFORMER': ('pretrain_transformer.pth', TBSRNTransformerRecognizer,
                              lambda s: {f'module.{k}': v for k, v in s.items()}),
        'CRNN_CHECKPOINT': ('crnn.pth', TextZoomCRNN, lambda s: s),
        'ASTER_CHECKPOINT': ('demo.pth.tar', ASTERRecognizer, lambda s: {'state_dict': s, 'epoch': 1}),
        'MORAN_CHECKPOINT': ('moran.pth', MORANRecognizer, lambda s: {f'module.{k}': v for k, v in s.items()}),
    }
    env = {}
    for var, (name, cls, layout) in files.items():
        torch.save(layout(cls(allow_random=True).state_dict()), out / name)
        env[var] = str(out / name)
    for var, config, name in (
            ('MMOCR_CRNN_CHECKPOINT', 'mmocr::textrecog/crnn/crnn_mini-vgg_5e_mj.py', 'crnn_mini-vgg_5e_mj.pth'),
            ('MMOCR_ASTER_CHECKPOINT', 'mmocr::textrecog/aster/aster_resnet45_6e_st_mj.py', 'aster_resnet45.pth')):
        torch.save({'state_dict': MMOCRRecognizer(config, allow_random=True).model.state_dict()}, out / name)
        env[var] = str(out / name)
    torch.save(build_sam('tiny', allow_random=True).state_dict(), out / 'sam_tiny.pth')  # segment-anything's classes
    env.update(SAM_CHECKPOINT=str(out / 'sam_tiny.pth'), SAM_MODEL_TYPE='tiny',
               TBSRN_CONFUSION=os.path.join(TEST_DATA, 'tbsrn', 'confusion_62x62.npy'))
    return env


def _write_textzoom(root):
    with open(os.path.join(CROPS, 'labels.tsv'), encoding='utf-8') as f:
        rows = [line for line in f.read().splitlines()[1:] if line.strip()]
    for split, picks in SPLITS.items():
        labels = root / f'{split.replace("/", "_")}.tsv'
        labels.write_text('\n'.join(rows[i] for i in picks) + '\n', encoding='utf-8')
        subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'dataset_converters', 'images_to_lmdb.py'),
                        str(labels), str(root / split), '--hr-dir', CROPS, '--make-lr'],
                       check=True, capture_output=True, cwd=ROOT)
    return root


@pytest.fixture(scope='session')
def user_env(tmp_path_factory):
    weights = tmp_path_factory.mktemp('official_weights')
    data = _write_textzoom(tmp_path_factory.mktemp('textzoom'))
    env = _write_official_checkpoints(weights)
    env.update(TEXTZOOM_ROOT=str(data), GLYPH_CACHE=str(data / 'glyph_cache_sam'))
    return env


def _run(env, *args, timeout=600):
    res = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, **env}, timeout=timeout)
    assert res.returncode == 0, ' '.join(map(str, args)) + '\n' + res.stdout[-2000:] + res.stderr[-4000:]
    return res


def _train(env, config, work, batch_size, epochs=1):
    """tools/train.py with iteration counts and sizes only: 4 training samples, ``batch_size``, one epoch."""
    return _run(env, 'tools/train.py', config, '--work-dir', work, '--cfg-options',
                f'train_dataloader.batch_size={batch_size}', f'train_cfg.max_epochs={epochs}',
                f'train_cfg.val_interval={epochs + 1}')


def test_real_user_path_extract_train_every_config_and_test(user_env, tmp_path):
    env = user_env
    # 1. GEM over the training and test folders: SAM (the paper's) into GLYPH_CACHE, and K-means (two processes).
    gem = ('tools/extract_glyphs.py', 'configs/glyph/gem_sam_vit_b_textzoom.py', '--verify', '--out')
    with ThreadPoolExecutor(2) as pool:
        sam = pool.submit(_run, env, *gem, env['GLYPH_CACHE'])
        kmeans = pool.submit(_run, env, *gem, tmp_path / 'kmeans_cache', '--mode', 'kmeans')
        for res in (sam.result(), kmeans.result()):
            assert '10 / 10 samples ok' in res.stdout
    # 2. The paper config for 2 iterations (4 samples, batch 2), every config in configs/glyphsr/ for 1 (batch 4),
    #    two processes at a time; 3. Table 1 of the trained paper config as soon as it is trained.
    jobs = [('configs/glyphsr_textzoom.py', tmp_path / 'glyphsr', 2)] + [
        (f'configs/glyphsr/{name}', tmp_path / name[:-3], 4)
        for name in sorted(os.listdir(os.path.join(ROOT, 'configs', 'glyphsr')))]
    out = tmp_path / 'table1'
    with ThreadPoolExecutor(2) as pool:
        paper, second = (pool.submit(_train, env, *job) for job in jobs[:2])
        paper.result()
        test = pool.submit(_run, env, 'tools/test.py', 'configs/glyphsr_textzoom.py',
                           tmp_path / 'glyphsr' / 'epoch_1.pth', '--work-dir', tmp_path / 'test', '--out', out)
        rest = [pool.submit(_train, env, *job) for job in jobs[2:]]
        results = [paper.result(), second.result()] + [t.result() for t in rest]
        test.result()
    for (config, work, batch), res in zip(jobs, results):
        log = res.stdout + res.stderr
        iters = 4 // batch
        assert f'Epoch(train) [1][{iters}/{iters}]' in log, config
        assert (work / 'epoch_1.pth').exists(), config
    table = json.loads((tmp_path / 'table1.json').read_text())['table']
    rows = {(r['recognizer'], r['row']) for r in table}
    for rec in ('CRNN', 'MORAN', 'ASTER'):
        for row in ('LR', 'SR', 'HR'):
            assert (rec, row) in rows, (rec, row)
    text = (tmp_path / 'table1.md').read_text()
    assert 'average (mean of subsets)' in text and 'weighted (by subset size)' in text
