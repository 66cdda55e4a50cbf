"""glyphsr_mm benchmarks: one module per benchmark, one entry point (``tools/benchmark.py``); results go to
docs/benchmarks.md.

    python tools/benchmark.py deform_conv [--repeats 20] [--device cpu] [--out docs/benchmarks.md]

Each module's ``run(args)`` returns (section key, markdown lines): what was timed, the median over repeats (after
warm-up), and the ratio to the baseline row measured in the same run. Sections of docs/benchmarks.md are replaced
per benchmark and device; each header states the command, the machine as measured (processor, cores, torch
threads), torch and the commit.
"""
import argparse
import importlib
import os
import subprocess
import sys

from glyphsr_mm.cli import REPO_ROOT as ROOT
from glyphsr_mm.utils.markdown import replace_section

BENCHMARKS = ('deform_conv', 'data_pipeline', 'recognizers', 'model_step', 'evaluation', 'gem', 'gem_quality',
              'train_recipe')
MODEL_STEP_VARIANTS = ('fp32', 'bf16', 'channels_last', 'compile')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('names', nargs='+', choices=BENCHMARKS, help='benchmarks to run')
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
    parser.add_argument('--demo-data', default=os.path.join(ROOT, 'data', 'syn20k'),
                        help='train_recipe: the synthetic set of the recipes (GLYPHSR_DEMO_DATA)')
    parser.add_argument('--train-samples', type=int, default=64,
                        help='train_recipe: training samples cycled (the memo sees each several times)')
    parser.add_argument('--gem-images', type=int, default=8, help='crops of the gem / gem_quality benchmarks')
    parser.add_argument('--gem-repeats', type=int, default=1)
    parser.add_argument('--sam-model', default='vit_b', help='vit_b / vit_l / vit_h (official) or tiny')
    parser.add_argument('--sam-checkpoint', default=None, help='official SAM .pth; none: random weights')
    parser.add_argument('--tbsrn-checkpoint', default=os.path.expanduser(
        '~/.cache/glyphsr_mm/recognizers/tbsrn_transformer_w0.125_synthetic_seed0.pth'),
        help='gem_quality: the TBSRN transformer w0.125 checkpoint (tools/train_recognizer.py)')
    parser.add_argument('--out', default=os.path.join(ROOT, 'docs', 'benchmarks.md'))
    return parser.parse_args(argv)


def commit() -> str:
    try:
        sha = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip()
        if subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip():
            sha += ' + uncommitted changes'
        return sha or '?'
    except OSError:
        return '?'


def main(argv=None) -> int:
    import torch

    from .common import machine
    args = parse_args(argv)
    cmd = 'python tools/benchmark.py ' + ' '.join(sys.argv[1:] if argv is None else argv)
    for name in args.names:
        key, rows = importlib.import_module(f'{__name__}.{name}').run(args)
        header = (f'### {key} ({args.device})\n\nCommand: `{cmd}` · machine: {machine()} · torch {torch.__version__}'
                  f' · commit {commit()}')
        print(header, *rows, sep='\n')
        replace_section(args.out, f'bench:{key}:{args.device}', [header, '', *rows], title='# glyphsr_mm benchmarks')
    print(f'written to {args.out}')
    return 0
