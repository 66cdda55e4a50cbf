"""The paper's ablation (Table 2) reproduced on the synthetic TextZoom: Baseline1, Baseline2, w/o GFM and GlyphSR

Entry point of ``glyphsr_mm.cli.reproduction_study`` (``python tools/reproduction_study.py --help``).
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from glyphsr_mm.cli.reproduction_study import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
