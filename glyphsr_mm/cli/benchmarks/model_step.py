"""Benchmark ``model_step``: training step (forward + backward + Adam) time and peak memory: Baseline1, GlyphSR, GlyphSR-in-EDSRNet;"""
from typing import List, Tuple

import torch

from glyphsr_mm.utils.markdown import markdown_table
from . import common


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
    ms = common.timeit(step, repeats, warmup=2, device=dev)
    mem = (torch.cuda.max_memory_allocated() / 2 ** 20 if dev.startswith('cuda')
           else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    model.eval()

    def infer():
        with torch.no_grad(), autocast():
            model(lr, None, mode='tensor')
    ims = 1000 * b / common.timeit(infer, repeats, warmup=1, device=dev)
    return ms, ims, mem


def run(args) -> Tuple[str, List[str]]:
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
    header, body = ['model', 'train step ms', 'ratio to Baseline1', 'inference images/s', 'peak memory MB'], []
    base = glyphsr = None
    for i, (name, _, _) in enumerate(cases):
        ms, ims, mem = measure(i)
        base = base or ms
        glyphsr = ms if i == 1 else glyphsr
        body.append([name, f'{ms:.0f}', f'{ms / base:.2f}', f'{ims:.3g}', f'{mem:.0f}'])
    for variant in args.variants:
        if variant == 'fp32':
            continue
        ms, ims, mem = measure(1, variant)
        body.append([f'GlyphSR, {variant} (speed vs GlyphSR fp32: {glyphsr / ms:.2f}x)', f'{ms:.0f}', f'{ms / base:.2f}',
                     f'{ims:.3g}', f'{mem:.0f}'])
    mem_note = ('On CPU, each row runs in its own process and peak memory is that process\'s peak RSS (Python, '
                'torch and the model included)' if not args.device.startswith('cuda') else
                'On CUDA, peak memory is the peak allocated per row')
    rows = markdown_table(header, body) + ['', f'Batch {args.batch} (LR 16 x 64 -> HR 32 x 128), median of {max(3, args.repeats // 4)} steps after '
             '2 warm-up steps. Text prior and text focus loss use the width-0.125 TBSRN transformer. '
             f'{mem_note}.']
    return 'model_step', rows

