"""glyphsr_mm benchmarks: one entry point, sub-benchmarks selectable; results go to docs/benchmarks.md.

    python tools/benchmark.py deform_conv [--repeats 20] [--device cpu] [--out docs/benchmarks.md]

Each row: what was timed, the median over repeats (after warm-up), and the ratio to the baseline row
measured in the same run. Sections of docs/benchmarks.md are replaced per sub-benchmark and device.
"""
import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from typing import Callable, List, Tuple

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def timeit(fn: Callable[[], None], repeats: int, warmup: int = 3, device: str = 'cpu') -> float:
    """Median wall time of ``fn`` in ms."""
    def sync():
        if device.startswith('cuda'):
            torch.cuda.synchronize()
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        sync()
        times.append(1000 * (time.perf_counter() - t))
    return statistics.median(times)


def machine() -> str:
    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    # bf16 is only fast on CPUs with native bf16 math; without it torch emulates it
    native = any(getattr(torch.cpu, f, lambda: False)() for f in ('_is_avx512_bf16_supported',
                                                                  '_is_amx_tile_supported'))
    bf16 = 'native bf16' if native else 'no native bf16 (no AVX512-BF16 / AMX)'
    return (f'{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch threads '
            f'{torch.get_num_threads()}, {bf16}')


def bench_deform_conv(args) -> Tuple[str, List[str]]:
    """The DSTA deformable conv (depth-wise, 3x3) and a whole DSTA block, MMCV vs torchvision backends."""
    from glyphsr_mm.models.layers import DSTA, ModulatedDeformConv2d, mmcv_ops_available
    backends = ['torchvision'] + (['mmcv'] if mmcv_ops_available() else [])
    dev = args.device
    rows = ['| case | backend | forward ms | forward+backward ms | fwd ratio to torchvision | fwd+bwd ratio |',
            '| --- | --- | ---: | ---: | ---: | ---: |']
    torch.manual_seed(0)
    b = args.batch
    cases = [
        # name, module factory, input shapes: the DCN inside GFM's DSTA(64) runs on 16 channels at its pooled size;
        # a full-resolution depth-wise DCN on 16 x 64 maps is the heavier variant.
        ('dw-DCN 16ch, B x 16 x 16 x 64', lambda be: ModulatedDeformConv2d(16, 16, 3, padding=1, groups=16,
                                                                            deform_groups=16, backend=be),
         lambda: (torch.randn(b, 16, 16, 64), 2 * torch.randn(b, 288, 16, 64), torch.rand(b, 144, 16, 64))),
        ('DSTA(64), B x 64 x 16 x 64', lambda be: DSTA(64, dcn_backend=be), lambda: (torch.randn(b, 64, 16, 64), )),
    ]
    for name, make, inputs in cases:
        base = {}
        ref = make('torchvision').to(dev)
        xs = [t.to(dev) for t in inputs()]
        for be in backends:
            m = make(be).to(dev)
            m.load_state_dict(ref.state_dict())
            xs_g = [t.clone().requires_grad_(t.is_floating_point()) for t in xs]

            def fwd():
                with torch.no_grad():
                    m(*xs)

            def fwd_bwd():
                m.zero_grad(set_to_none=True)
                m(*xs_g).square().mean().backward()
            f, fb = timeit(fwd, args.repeats, device=dev), timeit(fwd_bwd, args.repeats, device=dev)
            base.setdefault('f', f)
            base.setdefault('fb', fb)
            rows.append(f'| {name.replace("B", str(b))} | {be} | {f:.2f} | {fb:.2f} | {f / base["f"]:.2f} | '
                        f'{fb / base["fb"]:.2f} |')
    rows += ['', f'Median of {args.repeats} runs after 3 warm-up runs.']
    return 'deform_conv', rows


def _synthetic_train(args) -> str:
    """A synthetic TextZoom train LMDB (made once under --data-dir)."""
    root = os.path.join(args.data_dir, 'train')
    from glyphsr_mm.datasets import TextZoomLMDB
    try:
        if len(TextZoomLMDB(root)) >= args.num_pairs:
            return root
    except Exception:
        pass
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'dataset_converters', 'make_synthetic_textzoom.py'),
                    args.data_dir, '--num-train', str(args.num_pairs), '--num-test', '0', '--seed', '0'], check=True)
    return root


def _resized_copy(root: str, out: str, lr_size=(20, 80), hr_size=(40, 160)) -> str:
    """A copy of ``root`` with images stored at other sizes (real TextZoom crops vary), made once."""
    import cv2

    from glyphsr_mm.datasets import TextZoomLMDB, TextZoomLMDBWriter
    db = TextZoomLMDB(root)
    try:
        if len(TextZoomLMDB(out)) == len(db):
            return out
    except Exception:
        pass
    with TextZoomLMDBWriter(out) as w:
        for i in range(1, len(db) + 1):
            imgs = db.read_images(i)
            w.add(db.read_label(i), lr=cv2.resize(imgs['lr'], lr_size[::-1], interpolation=cv2.INTER_CUBIC),
                  hr=cv2.resize(imgs['hr'], hr_size[::-1], interpolation=cv2.INTER_CUBIC))
    return out


def bench_data_pipeline(args) -> Tuple[str, List[str]]:
    """TextZoomDataset + pipeline throughput in one process (= per data-loader worker) and peak memory."""
    import resource

    from mmengine.registry import init_default_scope

    from glyphsr_mm.datasets import TextZoomDataset, TextZoomLMDB
    init_default_scope('mmagic')
    root = _synthetic_train(args)
    resized_root = _resized_copy(root, os.path.join(args.data_dir, 'train_40x160'))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as in a DataLoader worker process
    resize = [dict(type='Resize', keys='img', scale=(64, 16), keep_ratio=False, interpolation='bicubic',
                   backend='pillow'),
              dict(type='Resize', keys='gt', scale=(128, 32), keep_ratio=False, interpolation='bicubic',
                   backend='pillow')]
    pack = dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset'])
    load = dict(type='LoadTextZoomImages', lr_size=(16, 64), hr_size=(32, 128))
    pipelines = [
        ('LMDB read + PNG decode only (baseline)', None, root),
        ('plain training pipeline: load (images stored at 16x64 / 32x128: no resampling), pack', [load, pack], root),
        ('plain training pipeline on images stored at 20x80 / 40x160 (PIL bicubic resize in the load)',
         [load, pack], resized_root),
        ('the same with `resize_backend=\'cv2\'`', [dict(load, resize_backend='cv2'), pack], resized_root),
        ('the same with MMagic `Resize` x2 (pillow) after loading', [dict(type='LoadTextZoomImages'), *resize, pack],
         resized_root),
        ('plain + mask channel, glyph masks, random affine',
         [load, dict(type='AddTextMaskChannel'),
          dict(type='LoadTextZoomGlyphMasks'), dict(type='TextRandomAffine'),
          dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset'],
               data_keys=['gt_char_masks', 'gt_line_mask'])], root),
    ]
    rows = ['| pipeline | pairs/s (1 process) | ratio to baseline | peak RSS MB |', '| --- | ---: | ---: | ---: |']
    base = None
    for name, pipeline, data in pipelines:
        n = args.num_pairs
        rates = []
        for _ in range(args.data_repeats):
            if pipeline is None:
                db = TextZoomLMDB(data)
                t = time.perf_counter()
                for i in range(1, n + 1):
                    db.read_image('lr', i)
                    db.read_image('hr', i)
            else:
                ds = TextZoomDataset(data, pipeline=pipeline)
                n = len(ds)
                t = time.perf_counter()
                for i in range(n):
                    ds[i]
            rates.append(n / (time.perf_counter() - t))
        rate = statistics.median(rates)
        base = base or rate
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append(f'| {name} | {rate:.0f} | {rate / base:.2f} | {rss:.0f} |')
    torch.set_num_threads(threads)
    rows.append('')
    rows.append(f'{args.num_pairs} synthetic pairs (HR 32 x 128 PNG, LR 16 x 64 PNG), median of {args.data_repeats} '
                'passes, one process with 1 torch thread (as a DataLoader worker); peak RSS is the process maximum so far '
                '(cumulative down the table).')
    return 'data_pipeline', rows


def bench_recognizers(args) -> Tuple[str, List[str]]:
    """Images/s of each recognizer on B x 3 x 32 x 128 inputs (``probs`` where it exists, else ``predict``)."""
    import importlib.util

    from glyphsr_mm.models import recognizers as R
    dev, b = args.device, args.batch
    torch.manual_seed(0)
    cases = [
        ('TextZoom CRNN (32x100 gray, CTC)', lambda: R.TextZoomCRNN(allow_random=True)),
        ('TBSRN transformer, released size (d_model 1024), greedy 26 steps',
         lambda: R.TBSRNTransformerRecognizer(allow_random=True)),
        ('TBSRN transformer, width 0.125 (d_model 128), greedy 26 steps',
         lambda: R.TBSRNTransformerRecognizer(width=0.125, num_heads=8, feature_pe=True, allow_random=True)),
        ('PARSeq base (AR decoding + 1 refinement)', lambda: R.PARSeqRecognizer(allow_random=True)),
        ('ASTER, aster.pytorch layout (STN, greedy 26 steps)', lambda: R.ASTERRecognizer(allow_random=True)),
        ('MORAN, MORAN_v2 layout (MORN + ASRN, 20 steps)', lambda: R.MORANRecognizer(allow_random=True)),
        ('MMOCR CRNN (mmocr config)', lambda: R.MMOCRRecognizer('mmocr::textrecog/crnn/crnn_mini-vgg_5e_mj.py',
                                                               allow_random=True)),
        ('MMOCR ASTER (mmocr config)', lambda: R.MMOCRRecognizer(
            'mmocr::textrecog/aster/aster_resnet45_6e_st_mj.py', allow_random=True)),
    ]
    if importlib.util.find_spec('easyocr_en_models'):
        cases.append(('EasyOCR english_g2 (pretrained)', lambda: R.EasyOCRRecognizer()))
    if importlib.util.find_spec('rapidocr') and dev == 'cpu':
        cases.append(('rapidocr PP-OCRv6 small (pretrained, onnxruntime, predict only)', lambda: R.RapidOCRRecognizer()))
    x = torch.rand(b, 3, 32, 128, device=dev)
    rows = ['| recognizer | ms / batch | images/s | ratio to CRNN |', '| --- | ---: | ---: | ---: |']
    base = None
    for name, make in cases:
        rec = make().to(dev).eval()

        def run():
            with torch.no_grad():
                try:
                    rec.probs(x)
                except NotImplementedError:
                    rec.predict(x)
        ms = timeit(run, max(3, args.repeats // 4), warmup=1, device=dev)
        rate = 1000 * b / ms
        base = base or rate
        rows.append(f'| {name} | {ms:.0f} | {rate:.0f} | {rate / base:.2f} |')
    rows += ['', f'Batch {b}, median of {max(3, args.repeats // 4)} runs after 1 warm-up; random weights except the '
             'pretrained ones (speed does not depend on the values).']
    return 'recognizers', rows


def _model_step_cases() -> List[Tuple[str, int, dict]]:
    """(row name, image channels, GlyphSR restorer kwargs): Baseline1, GlyphSR, EDSRNet, GlyphSR-in-EDSRNet."""
    tbsrn = dict(type='TBSRNTransformerRecognizer', width=0.125, num_heads=8, feature_pe=True, allow_random=True)
    prior = dict(type='TextPriorGenerator', recognizer=tbsrn, drop_prob=0.25)
    gen = dict(type='GlyphSRNet', prior_classes=37, stn='rectify')
    losses = dict(text_focus_loss=dict(type='TextFocusLoss', recognizer=tbsrn), hog_loss=dict(type='HOGLoss'))
    edsr = dict(type='EDSRNet', in_channels=3, out_channels=3, mid_channels=64, num_blocks=16, upscale_factor=2,
                rgb_mean=[0.0] * 3, rgb_std=[1.0] * 3)
    return [
        ('Baseline1 (GlyphSRNet without glyph modules; pixel + text focus + HOG)', 4,
         dict(generator=dict(gen, glyph_block=None), text_prior=prior, **losses)),
        ('GlyphSR (GPM after block 4, GFM 4-5; all losses)', 4,
         dict(generator=gen, text_prior=prior, glyph_loss=dict(type='GlyphLoss'), **losses)),
        ('EDSRNet (16 blocks), pixel loss only', 3, dict(generator=edsr)),
        ('GlyphSR-in-EDSRNet (GPM after body.11, GFM 11-15; pixel + glyph)', 3,
         dict(generator=dict(type='GlyphAwareGenerator', generator=edsr, head_after='body.11',
                             neck_after=[f'body.{i}' for i in range(11, 16)]), glyph_loss=dict(type='GlyphLoss'))),
    ]


MODEL_STEP_VARIANTS = ('fp32', 'bf16', 'channels_last', 'compile')


def _model_step_case(args, index: int, variant: str = 'fp32') -> Tuple[float, float, float]:
    """(train step ms, inference images/s, peak memory MB) of one case of :func:`_model_step_cases`.

    Variants: ``bf16`` autocast, ``channels_last`` model and inputs, ``compile`` (``torch.compile`` of the
    generator). Peak memory: the process peak RSS on CPU (so run each case in its own process), the peak allocated
    on CUDA.
    """
    import contextlib
    import resource

    from mmengine.registry import init_default_scope

    from glyphsr_mm.registry import MODELS
    init_default_scope('mmagic')
    from mmagic.structures import DataSample
    dev, b = args.device, args.batch
    torch.manual_seed(0)
    _, ch, kw = _model_step_cases()[index]
    model = MODELS.build(dict(type='GlyphSR', pixel_loss=dict(type='PixelMSELoss'),
                              data_preprocessor=dict(type='DataPreprocessor', mean=[0.0], std=[255.0]), **kw)).to(dev)
    fmt = torch.channels_last if variant == 'channels_last' else torch.contiguous_format
    model = model.to(memory_format=fmt)
    if variant == 'compile':
        model.generator = torch.compile(model.generator)
    autocast = (lambda: torch.autocast(dev.split(':')[0], dtype=torch.bfloat16)) if variant == 'bf16' else \
        contextlib.nullcontext
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], 1e-4)
    lr = torch.rand(b, ch, 16, 64, device=dev).contiguous(memory_format=fmt)
    samples = DataSample(gt_img=torch.rand(b, ch, 32, 128, device=dev),
                         gt_char_masks=(torch.rand(b, 16, 32, 128, device=dev) > 0.9).float(),
                         gt_line_mask=(torch.rand(b, 1, 32, 128, device=dev) > 0.7).float())
    samples.set_metainfo(dict(gt_text=['glyphsr'] * b))
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        with autocast():
            loss = sum(model(lr, samples, mode='loss').values())
        loss.backward()
        opt.step()
    if dev.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    repeats = max(3, args.repeats // 4)
    ms = timeit(step, repeats, warmup=2, device=dev)
    mem = (torch.cuda.max_memory_allocated() / 2 ** 20 if dev.startswith('cuda')
           else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    model.eval()

    def infer():
        with torch.no_grad(), autocast():
            model(lr, None, mode='tensor')
    ims = 1000 * b / timeit(infer, repeats, warmup=1, device=dev)
    return ms, ims, mem


def bench_model_step(args) -> Tuple[str, List[str]]:
    """Training step (forward + backward + Adam) time and peak memory: Baseline1, GlyphSR, GlyphSR-in-EDSRNet;
    with ``--variants``, GlyphSR again under each speed-up (ratio to its fp32 row)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    def measure(index, variant='fp32'):
        if args.device.startswith('cuda'):
            return _model_step_case(args, index, variant)
        # CPU: a fresh process per row, so that the peak RSS is the row's own
        with ProcessPoolExecutor(1, mp_context=mp.get_context('spawn')) as pool:
            return pool.submit(_model_step_case, args, index, variant).result()
    cases = _model_step_cases()
    rows = ['| model | train step ms | ratio to Baseline1 | inference images/s | peak memory MB |',
            '| --- | ---: | ---: | ---: | ---: |']
    base = glyphsr = None
    for i, (name, _, _) in enumerate(cases):
        ms, ims, mem = measure(i)
        base = base or ms
        glyphsr = ms if i == 1 else glyphsr
        rows.append(f'| {name} | {ms:.0f} | {ms / base:.2f} | {ims:.3g} | {mem:.0f} |')
    for variant in args.variants:
        if variant == 'fp32':
            continue
        ms, ims, mem = measure(1, variant)
        rows.append(f'| GlyphSR, {variant} (speed vs GlyphSR fp32: {glyphsr / ms:.2f}x) | {ms:.0f} | '
                    f'{ms / base:.2f} | {ims:.3g} | {mem:.0f} |')
    mem_note = ('On CPU, each row runs in its own process and peak memory is that process\'s peak RSS (Python, '
                'torch and the model included)' if not args.device.startswith('cuda') else
                'On CUDA, peak memory is the peak allocated per row')
    rows += ['', f'Batch {args.batch} (LR 16 x 64 -> HR 32 x 128), median of {max(3, args.repeats // 4)} steps after '
             '2 warm-up steps. Text prior and text focus loss use the width-0.125 TBSRN transformer. '
             f'{mem_note}.']
    return 'model_step', rows


def _synthetic_test(args, per_subset: int) -> List[str]:
    """Synthetic TextZoom test LMDBs (easy/medium/hard, ``per_subset`` each), made once under --data-dir_eval."""
    root = args.data_dir.rstrip('/') + '_eval'
    roots = [os.path.join(root, 'test', s) for s in ('easy', 'medium', 'hard')]
    from glyphsr_mm.datasets import TextZoomLMDB
    try:
        if all(len(TextZoomLMDB(r)) == per_subset for r in roots):
            return roots
    except Exception:
        pass
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'dataset_converters', 'make_synthetic_textzoom.py'),
                    root, '--num-train', '0', '--num-test', str(per_subset), '--seed', '1'], check=True)
    return roots


def bench_evaluation(args) -> Tuple[str, List[str]]:
    """End-to-end test throughput through MMagic's runner (data, text prior, GlyphSR, metrics): PSNR/SSIM only
    against adding the three TextZoom recognizers on SR, then on LR / SR / HR (first pass, then cached)."""
    import copy
    import tempfile

    from mmengine.config import Config
    from mmengine.runner import Runner
    per_subset = max(1, args.eval_images // 3)
    roots = _synthetic_test(args, per_subset)
    n = 3 * per_subset
    cfg = Config.fromfile(os.path.join(ROOT, 'configs', 'glyphsr_textzoom.py'))
    # Random weights (none can be downloaded here); speed does not depend on the values. Training-only losses
    # are left out: test runs never call them.
    cfg.model.text_prior.recognizer.update(checkpoint=None, allow_random=True)
    for key in ('text_focus_loss', 'hog_loss', 'glyph_loss'):
        cfg.model.pop(key)
    recs = {name: dict(rec, checkpoint=None, allow_random=True)
            for name, rec in cfg.test_evaluator.metrics[0].recognizers.items()}
    quality = [dict(type='PSNR', crop_border=0), dict(type='SSIM', crop_border=0)]
    accuracy = lambda rows: dict(type='TextRecognitionAccuracy', recognizers=recs, rows=rows,  # noqa: E731
                                 recognizer_device=args.device)
    cfg.merge_from_dict({'test_dataloader.dataset.data_root': roots, 'test_dataloader.batch_size': args.batch,
                         'test_dataloader.num_workers': 2, 'custom_hooks': [], 'log_level': 'WARNING',
                         'env_cfg.dist_cfg.backend': 'gloo'})
    cases = [('PSNR + SSIM only (model and data: the baseline)', quality, 1),
             (f'+ word accuracy of {", ".join(recs)} on SR', [accuracy(('SR', ))] + quality, 1),
             ('+ LR and HR reference rows (Table 1; first pass, then cached per sample)',
              [accuracy(('LR', 'SR', 'HR'))] + quality, 2)]
    rows = ['| evaluation | pass | seconds | images/s | ratio to baseline |', '| --- | ---: | ---: | ---: | ---: |']
    base = None
    for name, metrics, passes in cases:
        c = copy.deepcopy(cfg)
        c.test_evaluator = dict(type='Evaluator', metrics=metrics)
        with tempfile.TemporaryDirectory() as work:
            c.work_dir = work
            runner = Runner.from_cfg(c)
            runner.model.to(args.device)
            runner.test_loop  # noqa: B018  (builds the loop, its evaluator and recognizers: not timed)
            for p in range(passes):
                t = time.perf_counter()
                runner.test()
                sec = time.perf_counter() - t
                base = base or n / sec
                rows.append(f'| {name} | {p + 1} | {sec:.1f} | {n / sec:.1f} | {n / sec / base:.2f} |')
    rows += ['', f'{n} synthetic test images ({per_subset} per subset), batch {args.batch}, 2 loader workers, '
             "configs/glyphsr_textzoom.py's model (PARSeq text prior, N = 5, GFM) and recognizers, random weights. "
             'One timed pass per row (a whole `runner.test()`), after building the runner, its test loop and '
             'recognizers.']
    return 'evaluation', rows


def _gem_samples(args, n: int):
    """``n`` synthetic test samples (HR, label, exact char masks, boxes), from the evaluation set."""
    from glyphsr_mm.datasets.mask_codec import boxes_key, decode_boxes
    from glyphsr_mm.datasets.textzoom_lmdb import TextZoomLMDB
    from glyphsr_mm.glyph.extraction import render_masks
    roots = _synthetic_test(args, max(1, args.eval_images // 3))
    out = []
    for i in range(n):
        db, idx = TextZoomLMDB(roots[i % 3]), 1 + i // 3
        out.append((db.read_image('hr', idx), db.read_label(idx), render_masks((roots[i % 3], idx))[0],
                    decode_boxes(db.get(boxes_key(idx)))))
    return out


def _gem_sam(args):
    from glyphsr_mm.glyph import build_sam
    torch.manual_seed(0)
    return build_sam(args.sam_model, args.sam_checkpoint, allow_random=args.sam_checkpoint is None).to(args.device)


def bench_gem(args) -> Tuple[str, List[str]]:
    """GEM's SAM stage: SamPredictor loop vs batched prompts vs tiled canvases, same images, anchors and weights."""
    import numpy as np

    from glyphsr_mm.glyph import SAMPrompter, make_anchors, mask_iou, naive_predict
    samples = _gem_samples(args, args.gem_images)
    images = [s[0] for s in samples]
    # The prompts GEM makes: 4K + 1 = 9 anchors around each of 2 key points per character (here the box centre and
    # a point 1 px right of it, standing in for the two attention key points).
    points = []
    for _, _, _, boxes in samples:
        centres = np.array([((x0 + x1) / 2, (y0 + y1) / 2) for x0, y0, x1, y1 in boxes], np.float32)
        kps = np.concatenate([centres, centres + [1, 0]])
        points.append(make_anchors(kps, (2, 4)).reshape(-1, 2))
    n_prompts = sum(len(p) for p in points)
    sam = _gem_sam(args)

    encoder_s = {}

    def batched(tile):
        prompter = SAMPrompter(sam, tile=tile, encoder_batch=4).to(args.device)
        t = time.perf_counter()
        emb = prompter.embed(images)
        encoder_s['tiled' if tile else 'batched'] = time.perf_counter() - t
        return [prompter.predict(emb, i, p) for i, p in enumerate(points)]

    results, times = {}, {}
    for name, fn in (('naive', lambda: naive_predict(sam, images, points)), ('batched', lambda: batched(False)),
                     ('tiled', lambda: batched(True))):
        runs = []
        for _ in range(args.gem_repeats):
            t = time.perf_counter()
            results[name] = fn()
            if args.device.startswith('cuda'):
                torch.cuda.synchronize()
            runs.append(time.perf_counter() - t)
        times[name] = statistics.median(runs)

    def agreement(name):
        same = sum(np.array_equal(a[0], b[0]) for a, b in zip(results[name], results['naive']))
        per_mask = np.concatenate([[mask_iou(a[None], b)[0] if (a | b).any() else 1.0
                                    for a, b in zip(m.reshape(-1, *m.shape[-2:]), r.reshape(-1, *r.shape[-2:]))]
                                   for (m, _), (r, _) in zip(results[name], results['naive'])])
        return same, float(per_mask.mean())

    rows = ['| path | s / image | of which image encoder | images/s | ratio to naive | images with identical masks | '
            'mean mask IoU vs naive |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |']
    labels = {'naive': '`SamPredictor.set_image` per image, `predict` per anchor (baseline)',
              'batched': 'batched: 4 images per encoder call, an image\'s anchors in decoder chunks (4 CPU, 128 GPU)',
              'tiled': 'batched + 4 crops tiled into one 1024x1024 canvas'}
    n = len(images)
    for name in ('naive', 'batched', 'tiled'):
        same, iou = agreement(name)
        enc = f'{encoder_s[name] / n:.2f}' if name in encoder_s else '-'
        rows.append(f'| {labels[name]} | {times[name] / n:.2f} | {enc} | {n / times[name]:.2f} | '
                    f'{times["naive"] / times[name]:.2f}x | {same} / {n} | {iou:.4f} |')
    weights = args.sam_checkpoint or 'random weights (speed does not depend on them; agreement does)'
    rows += ['', f'SAM {args.sam_model}, {weights}; {n} synthetic 32x128 crops, {n_prompts} point prompts '
             f'({n_prompts / n:.0f} per image: 18 per character), multimask output; median of {args.gem_repeats} runs.']
    return 'gem', rows


def bench_gem_quality(args) -> Tuple[str, List[str]]:
    """GEM and the K-means baseline against the synthetic set's exact masks: per-character mean IoU, line IoU."""
    import numpy as np

    from glyphsr_mm.glyph import SAMGlyphExtractor, kmeans_foreground, mask_iou
    from glyphsr_mm.glyph.sam_glyph_extractor import read_positions, summarize
    samples = _gem_samples(args, args.gem_images)
    rec = dict(type='TBSRNTransformerRecognizer', width=0.125, num_heads=8, feature_pe=True,
               checkpoint=args.tbsrn_checkpoint)
    from glyphsr_mm.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope('mmagic')
    # attention_shift=1: this recognizer's step t attends to character t - 1 (configs/glyph/gem_sam_vit_b_synthetic.py)
    gem = SAMGlyphExtractor(sam=_gem_sam(args), recognizer=MODELS.build(rec).to(args.device), attention_shift=1)
    out = []
    for b in range(0, len(samples), 8):
        batch = samples[b:b + 8]
        out += gem([s[0] for s in batch], [s[1] for s in batch])
    char_iou, line_iou, km_iou, in_box = [], [], [], [[], []]
    for b in range(0, len(samples), 8):  # key points of the real (trained) attention: inside the right box?
        batch = samples[b:b + 8]
        attn2d, attn1d = gem.attention([s[0] for s in batch], [s[1] for s in batch])
        for (hr, label, _, boxes), a2, a1 in zip(batch, attn2d, attn1d):
            pos = read_positions(label, len(a2) - gem.attention_shift)
            steps = slice(gem.attention_shift, gem.attention_shift + len(pos))
            for k, kp in enumerate(gem.key_points(hr, a2[steps], a1[steps])[:2]):
                in_box[k] += [boxes[i][0] <= x < boxes[i][2] and boxes[i][1] <= y < boxes[i][3]
                              for i, (x, y) in zip(pos, kp.points)]
    for (hr, label, truth, _), g in zip(samples, out):
        for i in read_positions(label, 25):
            char_iou.append(mask_iou(g.chars[i][None], truth[i])[0])
        line_iou.append(mask_iou(g.line[None], truth.any(0))[0])
        km_iou.append(mask_iou(kmeans_foreground(hr)[None], truth.any(0))[0])
    stats = summarize(out)
    weights = args.sam_checkpoint or 'RANDOM weights: these GEM numbers only show that the pipeline runs'
    rows = ['| method | per-character mean IoU | line IoU |', '| --- | ---: | ---: |',
            f'| K-means foreground (Baseline2) | - | {np.mean(km_iou):.3f} |',
            f'| GEM (SAM {args.sam_model}) | {np.mean(char_iou):.3f} | {np.mean(line_iou):.3f} |', '',
            f'{len(samples)} synthetic test images ({len(char_iou)} characters). Selection: '
            f'{stats["rule_iou"]:.0%} by IoU with glyph attention, {stats["rule_score_area"]:.0%} by score/sqrt(area); '
            f'reliable key points: {stats["position_reliable"]:.0%} (2D attention), '
            f'{stats["glyph_reliable"]:.0%} (glyph attention); key points inside the right character box: '
            f'{np.mean(in_box[0]):.0%} (2D attention), {np.mean(in_box[1]):.0%} (glyph attention). SAM: {weights}; recognizer: TBSRN transformer '
            f'w0.125, {args.tbsrn_checkpoint}.']
    return 'gem_quality', rows


BENCHMARKS = {'deform_conv': bench_deform_conv, 'data_pipeline': bench_data_pipeline,
              'recognizers': bench_recognizers, 'model_step': bench_model_step, 'evaluation': bench_evaluation,
              'gem': bench_gem, 'gem_quality': bench_gem_quality}


def write_section(path: str, key: str, device: str, header: str, rows: List[str]) -> None:
    """Replace (or append) the section ``<!-- bench:key:device -->`` of the markdown file."""
    begin, end = f'<!-- bench:{key}:{device} -->', f'<!-- /bench:{key}:{device} -->'
    block = '\n'.join([begin, header, '', *rows, end])
    text = open(path).read() if os.path.exists(path) else '# glyphsr_mm benchmarks\n'
    if begin in text:
        text = re.sub(re.escape(begin) + '.*?' + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip('\n') + '\n\n' + block + '\n'
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('names', nargs='+', choices=sorted(BENCHMARKS), help='sub-benchmarks to run')
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--batch', type=int, default=48)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--variants', nargs='+', default=['fp32'], choices=MODEL_STEP_VARIANTS,
                        help='model_step: also time GlyphSR under these speed-ups (bf16 autocast, channels_last, '
                        'torch.compile)')
    parser.add_argument('--data-dir', default=os.path.join(ROOT, 'work_dirs', 'bench_data'),
                        help='synthetic TextZoom used by data_pipeline (made if missing)')
    parser.add_argument('--num-pairs', type=int, default=3000)
    parser.add_argument('--data-repeats', type=int, default=3)
    parser.add_argument('--eval-images', type=int, default=300, help='test images of the evaluation benchmark')
    parser.add_argument('--gem-images', type=int, default=8, help='crops of the gem / gem_quality benchmarks')
    parser.add_argument('--gem-repeats', type=int, default=1)
    parser.add_argument('--sam-model', default='vit_b', help='vit_b / vit_l / vit_h (official) or tiny')
    parser.add_argument('--sam-checkpoint', default=None, help='official SAM .pth; none: random weights')
    parser.add_argument('--tbsrn-checkpoint', default=os.path.expanduser(
        '~/.cache/glyphsr_mm/recognizers/tbsrn_transformer_w0.125_synthetic_seed0.pth'),
        help='gem_quality: the TBSRN transformer w0.125 checkpoint (tools/train_recognizer.py)')
    parser.add_argument('--out', default=os.path.join(ROOT, 'docs', 'benchmarks.md'))
    args = parser.parse_args()
    cmd = 'python tools/benchmark.py ' + ' '.join(sys.argv[1:])
    try:
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
        if subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip():
            commit += ' + uncommitted changes'
    except OSError:
        commit = '?'
    for name in args.names:
        key, rows = BENCHMARKS[name](args)
        header = (f'### {key} ({args.device})\n\nCommand: `{cmd}` · machine: {machine()} · torch {torch.__version__}'
                  f' · commit {commit}')
        print(header, *rows, sep='\n')
        write_section(args.out, key, args.device, header, rows)
    print(f'written to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
