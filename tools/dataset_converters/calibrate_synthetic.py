"""Measure word accuracy of the offline recognizer (rapidocr, extra `eval`) on a synthetic TextZoom's splits.

    python tools/dataset_converters/calibrate_synthetic.py DATA_DIR [--max-samples 300] [--out docs/synthetic_textzoom.md]

For each test split: accuracy on HR, and on LR bicubic-upsampled to 32 x 128 (TextZoom's "bicubic" row),
comparing lower-cased alphanumerics (TextZoom's protocol). Used to set the degradation strengths in
glyphsr_mm/datasets/synthetic_text.py (DIFFICULTY) so that LR accuracy lands near TextZoom's bicubic levels.
"""
import argparse
import os
import sys

import cv2
from tqdm import tqdm

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from glyphsr_mm.datasets import TextZoomLMDB  # noqa: E402
from glyphsr_mm.utils.markdown import markdown_table  # noqa: E402
from glyphsr_mm.utils.text import str_filt  # noqa: E402


def rapidocr_reader():
    """The project's rapidocr wrapper on one RGB uint8 image (``RapidOCRRecognizer``)."""
    import torch
    try:
        from glyphsr_mm.models.recognizers import RapidOCRRecognizer
        rec = RapidOCRRecognizer()
    except ImportError as e:
        raise SystemExit(f'{e}')

    def read(img):
        return rec.predict(torch.from_numpy(img).permute(2, 0, 1)[None].float() / 255.0)[0]
    return read


def accuracy(path: str, read, max_samples: int) -> dict:
    db = TextZoomLMDB(path)
    n = min(len(db), max_samples)
    hits = {'lr': 0, 'hr': 0}
    for i in tqdm(range(1, n + 1), desc=os.path.basename(path), unit='img'):
        gt = str_filt(db.read_label(i), 'lower')
        lr = cv2.resize(db.read_image('lr', i), (128, 32), interpolation=cv2.INTER_CUBIC)
        hits['lr'] += str_filt(read(lr), 'lower') == gt
        hits['hr'] += str_filt(read(db.read_image('hr', i)), 'lower') == gt
    return {k: v / n for k, v in hits.items()} | {'n': n}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('data_dir')
    parser.add_argument('--max-samples', type=int, default=300)
    parser.add_argument('--out', help='markdown file to write the table to')
    args = parser.parse_args()
    read = rapidocr_reader()
    body = []
    for split in ('easy', 'medium', 'hard'):
        r = accuracy(os.path.join(args.data_dir, 'test', split), read, args.max_samples)
        body.append([split, r['n'], f'{100 * r["lr"]:.1f}%', f'{100 * r["hr"]:.1f}%'])
    table = '\n'.join(markdown_table(['split', 'samples', 'LR (bicubic) word acc.', 'HR word acc.'], body))
    print(table)
    if args.out:
        with open(args.out, 'a') as f:
            f.write(f'\nCommand: `python tools/dataset_converters/calibrate_synthetic.py {" ".join(sys.argv[1:])}`'
                    f'\n\n{table}\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
