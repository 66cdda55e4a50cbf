"""glyphsr_mm benchmarks: one entry point, one module per benchmark (``glyphsr_mm/cli/benchmarks/``); results go
to docs/benchmarks.md.

    python tools/benchmark.py deform_conv [--repeats 20] [--device cpu] [--out docs/benchmarks.md]
    python tools/benchmark.py --help
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from glyphsr_mm.cli.benchmarks import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
