"""`make demo`: the main job on the embedded default — no data or weights to fetch.

Entry point of ``glyphsr_mm.cli.demo_main`` (``python tools/demo_main.py --help``).
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from glyphsr_mm.cli.demo_main import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
