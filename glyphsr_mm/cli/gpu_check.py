"""The GPU check: every measurement a lent CUDA machine should give, in one call, written as one markdown table.

    python -m glyphsr_mm.cli.gpu_check --out DIR             # on a CUDA machine (tools/gpu_check.sh calls this)
    python -m glyphsr_mm.cli.gpu_check --dry-run --out DIR   # the same steps on CPU at tiny sizes

Steps, each timed and isolated (a failing step is a ``failed`` row, the others still run):

1. environment: device, torch, mmcv and the CUDA its ops were compiled for;
2. the CUDA-marked tests (``pytest -m cuda``);
3. the deformable conv, mmcv against torchvision on the same inputs: max abs difference (forward, gradients),
   forward+backward ms each;
4. GlyphSR and Baseline1 training steps at the paper's batch 48, fp32 and bf16 autocast: images/s, peak memory;
5. GEM's SAM stage (vit_b, random weights), fp32 and bf16: images/s;
6. the evaluators CRNN / MORAN / ASTER (TextZoom layouts, random weights): images/s.

The table goes to ``DIR/gpu_check.md`` (rows also in ``DIR/gpu_check.json``). A step that cannot run on this
machine (mmcv without CUDA kernels, say) is a ``missing`` row that says why.
"""
import argparse
import json
import os
import subprocess
import sys
import time
import traceback
from types import SimpleNamespace
from typing import Callable, Dict, List

import torch

from glyphsr_mm.cli import REPO_ROOT
from glyphsr_mm.utils.markdown import markdown_table

Row = Dict[str, str]


class Missing(Exception):
    """A step that this machine cannot run (the reason is the message)."""


def _sizes(dry_run: bool) -> SimpleNamespace:
    """The paper's sizes on a GPU; tiny ones for the CPU dry run (same code path)."""
    if dry_run:
        return SimpleNamespace(batch=2, repeats=1, dcn_batch=2, gem_images=1, sam_model='tiny', eval_batch=2)
    return SimpleNamespace(batch=48, repeats=12, dcn_batch=48, gem_images=16, sam_model='vit_b', eval_batch=256)


def _row(step: str, case: str, value: str, status: str = 'ok', note: str = '') -> Row:
    return dict(step=step, case=case, value=value, status=status, note=note)


def step_environment(dev: str, size: SimpleNamespace) -> List[Row]:
    from glyphsr_mm.cli.collect_env import mmcv_cuda_archs
    from glyphsr_mm.utils.machine import describe_machine
    name = torch.cuda.get_device_name(0) if dev == 'cuda' else describe_machine()
    rows = [_row('environment', 'device', name), _row('environment', 'torch', torch.__version__)]
    try:
        import mmcv
        from mmcv.ops import get_compiling_cuda_version
        rows.append(_row('environment', 'mmcv', f'{mmcv.__version__}, ops compiled for CUDA '
                         f'{get_compiling_cuda_version()} ({mmcv_cuda_archs()})'))
    except Exception as e:  # noqa: BLE001  (reported, not raised: the torchvision path still runs)
        rows.append(_row('environment', 'mmcv', '-', 'missing', f'{type(e).__name__}: {e}'))
    return rows


def step_cuda_tests(dev: str, size: SimpleNamespace) -> List[Row]:
    cmd = [sys.executable, '-m', 'pytest', '-q', '-m', 'cuda', 'tests/test_cuda.py', '-p', 'no:cacheprovider']
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    summary = (proc.stdout.strip().splitlines() or ['(no output)'])[-1]
    if proc.returncode not in (0, 5):  # 5: nothing collected
        raise RuntimeError(f'pytest exit {proc.returncode}: {summary}\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}')
    status = 'ok' if 'passed' in summary and 'skipped' not in summary else 'missing'
    return [_row('CUDA tests', 'pytest -m cuda tests/test_cuda.py', summary, status,
                 '' if status == 'ok' else 'skipped without CUDA')]


def step_deform_conv(dev: str, size: SimpleNamespace) -> List[Row]:
    from glyphsr_mm.cli.benchmarks.common import timeit
    from glyphsr_mm.models.layers.deform_conv import (ModulatedDeformConv2d, mmcv_cuda_ops_available,
                                                      mmcv_ops_available)
    b = size.dcn_batch
    g = torch.Generator().manual_seed(0)
    x = torch.randn(b, 16, 16, 64, generator=g).to(dev)
    offset = (2.5 * torch.randn(b, 288, 16, 64, generator=g)).to(dev)
    mask = torch.rand(b, 144, 16, 64, generator=g).to(dev)
    torch.manual_seed(0)
    ref = ModulatedDeformConv2d(16, 16, 3, padding=1, groups=16, deform_groups=16, backend='torchvision').to(dev)
    case = f'depth-wise DCN 3x3, {b} x 16 x 16 x 64'
    outputs, times, rows = {}, {}, []
    has_mmcv = mmcv_cuda_ops_available() if dev == 'cuda' else mmcv_ops_available()
    for backend in ('torchvision', 'mmcv'):
        if backend == 'mmcv' and not has_mmcv:
            rows.append(_row('deform conv', f'{case}, mmcv', '-', 'missing',
                             f'mmcv has no {dev.upper()} kernels here'))
            continue
        layer = ModulatedDeformConv2d(16, 16, 3, padding=1, groups=16, deform_groups=16, backend=backend).to(dev)
        layer.load_state_dict(ref.state_dict())
        xs = [t.clone().requires_grad_() for t in (x, offset, mask)]
        out = layer(*xs)
        out.square().mean().backward()
        outputs[backend] = [out.detach()] + [t.grad for t in xs] + [layer.weight.grad]

        def fwd_bwd():
            layer.zero_grad(set_to_none=True)
            layer(*xs).square().mean().backward()
        times[backend] = ms = timeit(fwd_bwd, size.repeats, device=dev)
        rows.append(_row('deform conv', f'{case}, {backend}', f'{ms:.2f} ms forward+backward'))
    if len(outputs) == 2:
        names = ('output', 'grad input', 'grad offset', 'grad mask', 'grad weight')
        diffs = {n: (a - b_).abs().max().item() for n, a, b_ in zip(names, outputs['mmcv'], outputs['torchvision'])}
        worst = max(diffs.values())
        rows.append(_row('deform conv', f'{case}, mmcv vs torchvision', f'max abs diff {worst:.2e}',
                         'ok' if worst <= 1e-4 else 'failed',
                         ', '.join(f'{n} {d:.1e}' for n, d in diffs.items())))
        rows.append(_row('deform conv', 'speed mmcv / torchvision', f'{times["torchvision"] / times["mmcv"]:.2f}x', 'ok',
                         'above 1: mmcv faster'))
    return rows


def step_train(dev: str, size: SimpleNamespace) -> List[Row]:
    from glyphsr_mm.cli.benchmarks.model_step import _model_step_case, _model_step_cases
    args = SimpleNamespace(device=dev, batch=size.batch, repeats=size.repeats)
    names = {0: 'Baseline1', 1: 'GlyphSR'}
    rows, ms = [], {}
    for variant, label in (('fp32', 'fp32'), ('bf16', 'AMP (bf16 autocast)')):
        for index, name in names.items():
            step_ms, _, mem = _model_step_case(args, index, variant)
            ms[name, variant] = step_ms
            peak = f'{mem:.0f} MiB peak allocated' if dev == 'cuda' else f'{mem:.0f} MiB process peak RSS'
            rows.append(_row('train step', f'{name}, batch {size.batch}, {label}',
                             f'{1000 * size.batch / step_ms:.3g} images/s', 'ok', peak))
        ratio = ms['GlyphSR', variant] / ms['Baseline1', variant]
        rows.append(_row('train step', f'GlyphSR / Baseline1 step time, {label}', f'{ratio:.2f}x',
                         'ok', 'goal on GPU: <= 1.4x'))
    return rows


def step_gem(dev: str, size: SimpleNamespace) -> List[Row]:
    import numpy as np

    from glyphsr_mm.glyph import SAMPrompter, build_sam, make_anchors
    torch.manual_seed(0)
    sam = build_sam(size.sam_model, None, allow_random=True).to(dev)
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (32, 128, 3), dtype=np.uint8) for _ in range(size.gem_images)]
    # GEM's prompts: 9 anchors around each of 2 key points per character, 8 characters a word.
    points = [make_anchors(rng.uniform([4, 4], [123, 27], (16, 2)).astype(np.float32), (2, 4)).reshape(-1, 2)
              for _ in images]
    rows = []
    for autocast in (None, 'bf16'):
        prompter = SAMPrompter(sam, encoder_batch=16 if dev == 'cuda' else 2, autocast=autocast)

        def extract():
            emb = prompter.embed(images)
            for i, p in enumerate(points):
                prompter.predict(emb, i, p)
        extract()  # warm-up (cuDNN autotune, allocator)
        if dev == 'cuda':
            torch.cuda.synchronize()
        t = time.perf_counter()
        extract()
        if dev == 'cuda':
            torch.cuda.synchronize()
        rate = len(images) / (time.perf_counter() - t)
        rows.append(_row('GEM', f'SAM {size.sam_model} (random weights), {len(images)} crops, '
                         f'{autocast or "fp32"}', f'{rate:.3g} images/s', 'ok',
                         'goal on H100: >= 100 images/s in bf16' if size.sam_model == 'vit_b' else 'tiny SAM'))
    return rows


def step_evaluators(dev: str, size: SimpleNamespace) -> List[Row]:
    from glyphsr_mm.cli.benchmarks.common import timeit
    from glyphsr_mm.models import recognizers as R
    torch.manual_seed(0)
    x = torch.rand(size.eval_batch, 3, 32, 128, device=dev)
    rows = []
    for name, make in (('CRNN', lambda: R.TextZoomCRNN(allow_random=True)),
                       ('MORAN', lambda: R.MORANRecognizer(allow_random=True)),
                       ('ASTER', lambda: R.ASTERRecognizer(allow_random=True))):
        rec = make().to(dev).eval()

        def read():
            with torch.no_grad():
                rec.predict(x)
        ms = timeit(read, max(3, size.repeats // 4), warmup=1, device=dev)
        rows.append(_row('evaluators', f'{name} (TextZoom layout), batch {size.eval_batch}',
                         f'{1000 * size.eval_batch / ms:.3g} images/s'))
    return rows


STEPS: Dict[str, Callable[[str, SimpleNamespace], List[Row]]] = {
    'environment': step_environment, 'cuda_tests': step_cuda_tests, 'deform_conv': step_deform_conv,
    'train': step_train, 'gem': step_gem, 'evaluators': step_evaluators}


def run_checks(dev: str, dry_run: bool, steps=tuple(STEPS)) -> List[Row]:
    """Run the named steps; a step that raises becomes one ``failed`` row (the message), the others still run."""
    size = _sizes(dry_run)
    rows = []
    for name in steps:
        t = time.perf_counter()
        try:
            got = STEPS[name](dev, size)
        except Missing as e:
            got = [_row(name, '-', '-', 'missing', str(e))]
        except Exception as e:  # noqa: BLE001  (one broken step must not hide the others' rows)
            traceback.print_exc()
            got = [_row(name, '-', '-', 'failed', f'{type(e).__name__}: {str(e).splitlines()[0][:200]}')]
        for r in got:
            r['seconds'] = f'{time.perf_counter() - t:.1f}'
        rows += got
        print(f'gpu_check: {name}: ' + '; '.join(f"{r['case']} = {r['value']} [{r['status']}]" for r in got),
              flush=True)
    return rows


def write_table(rows: List[Row], out_dir: str, dev: str, dry_run: bool) -> str:
    """``out_dir/gpu_check.md`` (the table) and ``gpu_check.json``; returns the markdown path."""
    os.makedirs(out_dir, exist_ok=True)
    kind = 'dry run on CPU (tiny sizes: the steps run, the numbers mean nothing)' if dry_run else f'on {dev}'
    body = [[r['step'], r['case'], r['value'], r['status'], r['note'], r['seconds']] for r in rows]
    lines = [f'### GPU check, {kind}', '', 'Command: `bash tools/gpu_check.sh' + (' --dry-run`' if dry_run else '`'),
             f'· {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}', '',
             *markdown_table(['step', 'case', 'result', 'status', 'note', 'step s'], body, 'lllllr')]
    path = os.path.join(out_dir, 'gpu_check.md')
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(os.path.join(out_dir, 'gpu_check.json'), 'w') as f:
        json.dump(dict(device=dev, dry_run=dry_run, rows=rows), f, indent=1)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--dry-run', action='store_true', help='the same steps on CPU at tiny sizes')
    parser.add_argument('--out', default=os.environ.get('OUT') or os.path.join(REPO_ROOT, 'work_dirs', 'gpu_check'),
                        help='folder of gpu_check.md / .json (default: $OUT, else work_dirs/gpu_check)')
    parser.add_argument('--steps', nargs='+', choices=list(STEPS), default=list(STEPS))
    args = parser.parse_args(argv)
    if args.dry_run:
        dev = 'cpu'
    elif not torch.cuda.is_available():
        print('gpu_check: no CUDA device visible (torch.cuda.is_available() is False); '
              'use --dry-run for the CPU rehearsal', file=sys.stderr)
        return 2
    else:
        dev = 'cuda'
    rows = run_checks(dev, args.dry_run, args.steps)
    path = write_table(rows, args.out, dev, args.dry_run)
    print(open(path).read())
    failed = [r for r in rows if r['status'] == 'failed']
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
