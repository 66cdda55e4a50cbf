"""Run the Glyph Extraction Module over TextZoom-format LMDBs and write a glyph-mask cache.

Entry point of ``glyphsr_mm.cli.extract_glyphs`` (``python tools/extract_glyphs.py --help``).
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from glyphsr_mm.cli.extract_glyphs import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
