"""Benchmark ``train_recipe``: training iterations per hour of the shipped GlyphSR recipe against the long recipe
(the same model, losses, data and batch): first with the exact cuts only (the frozen text prior memoised, the unread
GPM class branch skipped), then with bf16 autocast and channels-last weights as configured; with the difference each
makes to one iteration's losses and gradients."""
import copy
import os
import tempfile
import time
from typing import Dict, List, Tuple

import torch

from glyphsr_mm.utils.markdown import markdown_table
from . import common

# (row, config, overrides): the baseline is today's shipped recipe as it ran before the cuts.
FP32 = {'optim_wrapper.type': 'OptimWrapper', 'model.channels_last': False}
RECIPES = (('shipped recipe (glyphsr_shipped_synthetic.py), GPM class branch computed: the baseline',
            'glyphsr_shipped_synthetic.py', {}),
           ('long recipe in fp32: prior memo + no class branch (exact)', 'glyphsr_long_synthetic.py', FP32),
           ('long recipe (glyphsr_long_synthetic.py): + bf16 autocast, channels-last weights',
            'glyphsr_long_synthetic.py', {}))


def _build(config: str, overrides: dict, subset: int, work: str):
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(os.path.join(common.ROOT, 'configs', 'demo', config))
    cfg.merge_from_dict(overrides)
    if cfg.optim_wrapper.type == 'OptimWrapper':
        cfg.optim_wrapper.pop('dtype', None)
    cfg.merge_from_dict({'train_dataloader.dataset.indices': subset, 'work_dir': work, 'log_level': 'WARNING',
                         'custom_hooks': []})
    runner = Runner.from_cfg(cfg)
    loader = runner.build_dataloader(cfg.train_dataloader)
    return runner.model, loader, runner.build_optim_wrapper(cfg.optim_wrapper), cfg


def _one_step_grads(model, optim, batch, seed: int = 0) -> Tuple[Dict[str, float], Dict[str, torch.Tensor]]:
    """One training step's losses and gradients, in the recipe's precision (its optim wrapper's context)."""
    torch.manual_seed(seed)
    model.train()
    model.zero_grad()
    data = model.data_preprocessor(copy.deepcopy(batch), True)
    with optim.optim_context(model):
        losses = model(**data, mode='loss')
    sum(losses.values()).backward()
    grads = {n: p.grad.detach().clone() for n, p in model.named_parameters() if p.grad is not None}
    return {k: v.item() for k, v in losses.items()}, grads


def _validation_seconds(cfg, model, work: str) -> float:
    """The second pass of the recipe's validation (its evaluators and set; the first pass fills the caches of the
    bicubic and HR readings, which a run keeps)."""
    from mmengine.runner import Runner
    c = copy.deepcopy(cfg)
    c.merge_from_dict({'test_dataloader': copy.deepcopy(c.val_dataloader), 'test_evaluator': c.val_evaluator,
                       'work_dir': work, 'log_level': 'WARNING',
                       'load_from': None})
    runner = Runner.from_cfg(c)
    runner.model.load_state_dict(model.state_dict())
    runner.test()
    t = time.perf_counter()
    runner.test()
    return time.perf_counter() - t


def run(args) -> Tuple[str, List[str]]:
    """Iterations of each recipe on the same training samples, after a warm-up that lets the memo see them."""
    os.environ['GLYPHSR_DEMO_DATA'] = args.demo_data  # the recipes' train and validation sets
    subset, batch = args.train_samples, 16
    warm_iters = 3 * subset // batch  # three passes: most un-augmented samples are in the memo, as in a long run
    header = ['recipe', 'ms / iteration', 'iterations / hour', 'ratio to baseline', 'prior memo hits',
              'validation s / pass', 'iterations / hour with validation']
    body, models, probe, base, base_with_val = [], [], None, None, None
    for name, config, overrides in RECIPES:
        with tempfile.TemporaryDirectory() as work:
            torch.manual_seed(0)
            model, loader, optim, cfg = _build(config, overrides, subset, work)
            if not models:
                _with_class_branch(model)
            batches = iter(_cycle(loader))
            probe = probe or next(batches)
            for _ in range(warm_iters):
                model.train_step(next(batches), optim)
            memo = model.text_prior.memo
            memo.hits = memo.misses = 0
            times = []
            for _ in range(args.repeats):
                data = next(batches)
                t = time.perf_counter()
                model.train_step(data, optim)
                times.append(time.perf_counter() - t)
            ms = 1000 * sorted(times)[len(times) // 2]
            hits = f'{100 * memo.hits / max(1, memo.hits + memo.misses):.0f} %' if memo.max_bytes else '-'
            val_s = _validation_seconds(cfg, model, work) \
                if args.eval_images else None
            interval = cfg.train_cfg.val_interval
            per_hour = 3.6e6 / ms
            with_val = 3600 / (ms / 1000 + val_s / interval) if val_s else None
            base, base_with_val = base or per_hour, base_with_val or with_val
            body.append([name, f'{ms:.0f}', f'{per_hour:.0f}', f'{per_hour / base:.2f}', hits,
                         f'{val_s:.0f} (every {interval} it.)' if val_s else '-',
                         f'{with_val:.0f} ({with_val / base_with_val:.2f}x)' if with_val else '-'])
            models.append((model, optim))
    profile = _profile(models[0][0], probe, max(3, args.repeats // 4))
    for model, _ in models[1:]:
        model.load_state_dict(models[0][0].state_dict())  # same weights for the one-step comparison
    (l0, g0), *others = (_one_step_grads(m, o, probe) for m, o in models)
    diffs = []
    for name, (l1, g1) in zip([r[0].split(':')[0] for r in RECIPES[1:]], others):
        loss_rel = max(abs(l0[k] - l1[k]) / max(abs(l0[k]), 1e-12) for k in l1)
        common_names = [n for n in g1 if n in g0]
        a = torch.cat([g0[n].flatten() for n in common_names]).double()
        b = torch.cat([g1[n].flatten() for n in common_names]).double()
        grad_rel = ((a - b).norm() / a.norm()).item()
        cosine = torch.nn.functional.cosine_similarity(a, b, dim=0).item()
        diffs.append(f'{name}: at most {100 * loss_rel:.2g} % in any loss term; the whole gradient differs by '
                     f'{100 * grad_rel:.2g} % (relative L2; cosine {cosine:.6f})')
    only_baseline = sorted({n.split('.')[2] for n in set(g0) - set(others[-1][1])})
    rows = markdown_table(header, body) + [
        '', f'Batch {batch}, {subset} training samples of `{args.demo_data}/train` cycled with the recipe\'s augmentation '
        f'(TextRandomAffine, p = 0.5), median of {args.repeats} iterations after {warm_iters} warm-up iterations '
        f'(three passes, so the memo holds most samples that the warp left alone, as from the second epoch of a long '
        f'run; its steady-state hit rate is the un-warped share, 50 %). Validation: the recipe\'s val evaluator on '
        f'the test images of `{args.demo_data}/test` (second pass: the bicubic and HR readings are '
        f'cached after the first, as in a run), charged per iteration at the recipe\'s interval.', '',
        f'One training step from the same weights, batch and seed, against the baseline: {"; ".join(diffs)}. '
        f'Parameters with a gradient only in the baseline: {", ".join(only_baseline) or "none"} (the class branch, '
        f'whose loss weight is 0 in every row). Whether bf16 learns as much per iteration is a training question: '
        f'docs/reproduction.md compares the two long runs at the same iteration.', '',
        'Where the baseline\'s step goes (each part timed alone on the same batch; the rest of a step is the optimizer, '
        'the pixel and glyph losses and MMEngine):', '',
        *markdown_table(['part', 'fp32 ms', 'bf16 autocast ms', 'speed-up'], profile)]
    return 'train_recipe', rows


def _profile(model, batch, repeats: int) -> List[List[str]]:
    """Where one step of the baseline goes: each part's forward (+ backward where the step has one), fp32 and under
    bf16 autocast, timed on its own on the same batch (median of ``repeats``)."""
    import contextlib
    data = model.data_preprocessor(copy.deepcopy(batch), True)
    lr, hr = data['inputs'], data['data_samples'].gt_img[:, :3]
    labels = list(data['data_samples'].metainfo['gt_text'])
    g = model.generator
    with torch.no_grad():
        prior = model.text_prior.read(lr)
        feat = g.block1(lr)
        hint = g.text_prior_hint(prior, tuple(feat.shape[-2:]))
    feat = feat.detach().requires_grad_()
    sr = torch.rand_like(hr, requires_grad=True)

    def backward(*outs):
        sum(o.float().sum() for o in outs if o is not None).backward()
    parts = [
        ('text prior: EasyOCR reads LR (no grad)', lambda: model.text_prior.read(lr)),
        ('generator, whole (forward + backward)', lambda: backward(g(lr, prior)[0])),
        ('- TP transformer + DSTA', lambda: backward(g.text_prior_hint(prior, tuple(feat.shape[-2:])))),
        ('- GPM (maps and class branch)', lambda: backward(*g.char_seg(feat))),
        ('- GPM without its class branch', lambda: backward(*g.char_seg(feat, with_logits=False))),
        ('- one SR block', lambda: backward(g.block2(feat, hint))),
        ('text focus loss: TBSRN reads SR and HR', lambda: backward(*model.text_focus_loss(sr, hr, labels).values())),
        ('HOG loss', lambda: backward(*model.hog_loss(sr, hr).values())),
    ]
    rows = []
    for name, fn in parts:
        ms = []
        for ctx in (contextlib.nullcontext, lambda: torch.autocast('cpu', dtype=torch.bfloat16)):
            with ctx():
                ms.append(common.timeit(fn, repeats, warmup=1))
        rows.append([name, f'{ms[0]:.0f}', f'{ms[1]:.0f}', f'{ms[0] / ms[1]:.2f}'])
    return rows


def _cycle(loader):
    """Passes over ``loader`` as MMEngine's iteration-based loop makes them: a new epoch number for each pass (the
    sampler's order and the augmentation seeds depend on it)."""
    epoch = 0
    while True:
        yield from loader
        epoch += 1
        loader.sampler.set_epoch(epoch)


def _with_class_branch(model) -> None:
    """Run the GPM class branch in every step, as the shipped recipe did before the restorer learned to skip it
    when no loss reads it (its loss term is then 0 x cross-entropy)."""
    generate = model.generate
    model.generate = lambda lr, prior=None, with_char_logits=True: generate(lr, prior)
