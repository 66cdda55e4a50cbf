"""Super-resolve your own word images (any size, no HR) with the shipped GlyphSR or any restorer checkpoint.

    python tools/demo.py INPUT [INPUT ...] --out DIR [--sheet] [--recognizer rapidocr [--labels labels.tsv]]
    python tools/demo.py CONFIG CHECKPOINT INPUT [INPUT ...] --out DIR [...] [--device auto|cpu|cuda]

Without CONFIG and CHECKPOINT it runs the shipped model (configs/demo/glyphsr_shipped_synthetic.py,
checkpoints/glyphsr_synthetic.pth: trained on the synthetic TextZoom, see checkpoints/README.md).

INPUT: image files or folders (searched recursively). Each image is resized to 16x64 (PIL bicubic), super-resolved
to 32x128 and written to DIR/<name>.png; --sheet adds DIR/<name>_sheet.png (LR | SR | line map | character maps,
one row), and DIR/sheet.png with all images; --recognizer reads LR (bicubic) and SR with an offline recognizer and
writes DIR/readout.tsv; --labels (file<TAB>label rows) adds the word accuracy of both.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from glyphsr_mm.cli.demo import run_demo  # noqa: E402

if __name__ == '__main__':
    sys.exit(run_demo())
