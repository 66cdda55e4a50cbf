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
    return f'{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch threads {torch.get_num_threads()}'


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


BENCHMARKS = {'deform_conv': bench_deform_conv, 'data_pipeline': bench_data_pipeline}


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
    parser.add_argument('--data-dir', default=os.path.join(ROOT, 'work_dirs', 'bench_data'),
                        help='synthetic TextZoom used by data_pipeline (made if missing)')
    parser.add_argument('--num-pairs', type=int, default=3000)
    parser.add_argument('--data-repeats', type=int, default=3)
    parser.add_argument('--out', default=os.path.join(ROOT, 'docs', 'benchmarks.md'))
    args = parser.parse_args()
    cmd = 'python tools/benchmark.py ' + ' '.join(sys.argv[1:])
    try:
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
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
