"""Benchmark ``data_pipeline``: textZoomDataset + pipeline throughput in one process (= per data-loader worker) and peak memory."""
import os
import statistics
import time
from typing import List, Tuple

import torch

from glyphsr_mm.utils.markdown import markdown_table
from . import common


def run(args) -> Tuple[str, List[str]]:
    """TextZoomDataset + pipeline throughput in one process (= per data-loader worker) and peak memory."""
    import resource

    from mmengine.registry import init_default_scope

    from glyphsr_mm.datasets import TextZoomDataset, TextZoomLMDB
    init_default_scope('mmagic')
    root = common.synthetic_train(args)
    resized_root = common.resized_copy(root, os.path.join(args.data_dir, 'train_40x160'))
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
    header, body = ['pipeline', 'pairs/s (1 process)', 'ratio to baseline', 'peak RSS MB'], []
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
        body.append([name, f'{rate:.0f}', f'{rate / base:.2f}', f'{rss:.0f}'])
    torch.set_num_threads(threads)
    rows = markdown_table(header, body) + ['']
    rows.append(f'{args.num_pairs} synthetic pairs (HR 32 x 128 PNG, LR 16 x 64 PNG), median of {args.data_repeats} '
                'passes, one process with 1 torch thread (as a DataLoader worker); peak RSS is the process maximum so far '
                '(cumulative down the table).')
    return 'data_pipeline', rows

