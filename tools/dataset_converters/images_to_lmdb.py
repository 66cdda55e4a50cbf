"""Build a TextZoom-format LMDB from a folder of images and a label file (HR+LR pairs, or LR only).

    python tools/dataset_converters/images_to_lmdb.py LABELS OUT_LMDB [--hr-dir DIR] [--lr-dir DIR]
        [--make-lr] [--lr-size 64x16]

LABELS: ``file<TAB>label`` lines, an optional ``file<TAB>label`` header (``labels.tsv``/``labels.txt``); files are
relative to --hr-dir / --lr-dir, by default to the label file's folder.
With --make-lr the LR image is the HR image down-scaled (bicubic) to --lr-size, as for real crops without an LR
capture. With --lr-dir only (no HR), an LR-only LMDB is written (inference without HR).
"""
import argparse
import os
import sys

import cv2
from tqdm import tqdm

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from glyphsr_mm.datasets import TextZoomLMDBWriter  # noqa: E402
from glyphsr_mm.utils.text import read_label_file  # noqa: E402


def read_rgb(path: str):
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f'cannot read image {path}')
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def convert(labels: str, out: str, hr_dir: str = None, lr_dir: str = None, make_lr: bool = False,
            lr_size: tuple = (64, 16)) -> int:
    """Write the LMDB; returns the number of samples. Raises ValueError naming the bad file or line."""
    if hr_dir is None and lr_dir is None:
        hr_dir = os.path.dirname(os.path.abspath(labels))
    if hr_dir is None and make_lr:
        raise ValueError('--make-lr needs HR images (--hr-dir)')
    if hr_dir is not None and lr_dir is None and not make_lr:
        raise ValueError('give --lr-dir with the LR images, or --make-lr to down-scale the HR images')
    rows = read_label_file(labels)
    with TextZoomLMDBWriter(out) as w:
        for name, label in tqdm(rows, desc=f'write {out}', unit='img'):
            hr = read_rgb(os.path.join(hr_dir, name)) if hr_dir else None
            if lr_dir is not None:
                lr = read_rgb(os.path.join(lr_dir, name))
            else:
                lr = cv2.resize(hr, lr_size, interpolation=cv2.INTER_CUBIC)
            w.add(label, lr=lr, hr=hr)
    return len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('labels')
    parser.add_argument('out')
    parser.add_argument('--hr-dir')
    parser.add_argument('--lr-dir')
    parser.add_argument('--make-lr', action='store_true')
    parser.add_argument('--lr-size', default='64x16', help='W x H of generated LR images')
    args = parser.parse_args()
    w, h = (int(v) for v in args.lr_size.lower().split('x'))
    try:
        n = convert(args.labels, args.out, args.hr_dir, args.lr_dir, args.make_lr, (w, h))
    except (ValueError, OSError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print(f'{n} samples written to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
