"""Benchmark ``gem``: gEM's SAM stage: SamPredictor loop vs batched prompts vs tiled canvases, same images, anchors and weights."""
import statistics
import time
from typing import List, Tuple

import torch

from glyphsr_mm.utils.markdown import markdown_table
from . import common


def run(args) -> Tuple[str, List[str]]:
    """GEM's SAM stage: SamPredictor loop vs batched prompts vs tiled canvases, same images, anchors and weights."""
    import numpy as np

    from glyphsr_mm.glyph import SAMPrompter, make_anchors, mask_iou, naive_predict
    samples = common.gem_samples(args, args.gem_images)
    images = [s[0] for s in samples]
    # The prompts GEM makes: 4K + 1 = 9 anchors around each of 2 key points per character (here the box centre and
    # a point 1 px right of it, standing in for the two attention key points).
    points = []
    for _, _, _, boxes in samples:
        centres = np.array([((x0 + x1) / 2, (y0 + y1) / 2) for x0, y0, x1, y1 in boxes], np.float32)
        kps = np.concatenate([centres, centres + [1, 0]])
        points.append(make_anchors(kps, (2, 4)).reshape(-1, 2))
    n_prompts = sum(len(p) for p in points)
    sam = common.gem_sam(args)

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

    header = ['path', 's / image', 'of which image encoder', 'images/s', 'ratio to naive', 'images with identical masks',
              'mean mask IoU vs naive']
    body = []
    labels = {'naive': '`SamPredictor.set_image` per image, `predict` per anchor (baseline)',
              'batched': 'batched: 4 images per encoder call, an image\'s anchors in decoder chunks (4 CPU, 128 GPU)',
              'tiled': 'batched + 4 crops tiled into one 1024x1024 canvas'}
    n = len(images)
    for name in ('naive', 'batched', 'tiled'):
        same, iou = agreement(name)
        enc = f'{encoder_s[name] / n:.2f}' if name in encoder_s else '-'
        body.append([labels[name], f'{times[name] / n:.2f}', enc, f'{n / times[name]:.2f}',
                     f'{times["naive"] / times[name]:.2f}x', f'{same} / {n}', f'{iou:.4f}'])
    weights = args.sam_checkpoint or 'random weights (speed does not depend on them; agreement does)'
    rows = markdown_table(header, body) + ['', f'SAM {args.sam_model}, {weights}; {n} synthetic 32x128 crops, {n_prompts} point prompts '
             f'({n_prompts / n:.0f} per image: 18 per character), multimask output; median of {args.gem_repeats} runs.']
    return 'gem', rows

