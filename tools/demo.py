"""Super-resolve your own word images (any size, no HR) with a trained GlyphSR (or other restorer) checkpoint.

    python tools/demo.py CONFIG CHECKPOINT INPUT [INPUT ...] --out DIR [--sheet] [--recognizer rapidocr]
        [--device auto|cpu|cuda] [--batch-size 64]

INPUT: image files or folders (searched recursively). Each image is resized to 16x64 (PIL bicubic), super-resolved
to 32x128 and written to DIR/<name>.png; --sheet adds DIR/<name>_sheet.png (LR | SR | line map | character maps,
one row), and DIR/sheet.png with all images; --recognizer reads LR (bicubic) and SR with an offline recognizer and
writes DIR/readout.tsv.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from glyphsr_mm.cli.demo import run_demo  # noqa: E402

if __name__ == '__main__':
    sys.exit(run_demo())
