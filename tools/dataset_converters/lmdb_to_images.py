"""Export a TextZoom-format LMDB to PNG files + labels.txt (read TextZoom without code).

    python tools/dataset_converters/lmdb_to_images.py data/textzoom/test/easy out/easy

Writes OUT_DIR/lr/000001.png, OUT_DIR/hr/000001.png (when present) and OUT_DIR/labels.txt with lines
``000001.png<TAB>label``. Bad records are reported with their index and skipped.
"""
import argparse
import os
import sys

import cv2
from tqdm import tqdm

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from glyphsr_mm.datasets import TextZoomLMDB, TextZoomLMDBError  # noqa: E402


def export(lmdb_path: str, out_dir: str) -> dict:
    """Export every record; returns counts ``{'written': n, 'bad': m}``."""
    db = TextZoomLMDB(lmdb_path)
    n = len(db)
    for sub in ('lr', 'hr'):
        os.makedirs(os.path.join(out_dir, sub), exist_ok=True)
    counts = {'written': 0, 'bad': 0}
    with open(os.path.join(out_dir, 'labels.txt'), 'w', encoding='utf-8') as labels:
        for i in tqdm(range(1, n + 1), desc=f'export {lmdb_path}', unit='img'):
            name = f'{i:06d}.png'
            try:
                label = db.read_label(i)
                imgs = {'lr': db.read_image('lr', i)}
                if db.has_image('hr', i):
                    imgs['hr'] = db.read_image('hr', i)
            except TextZoomLMDBError as e:
                print(f'skipped: {e}', file=sys.stderr)
                counts['bad'] += 1
                continue
            for sub, img in imgs.items():
                cv2.imwrite(os.path.join(out_dir, sub, name), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
            labels.write(f'{name}\t{label}\n')
            counts['written'] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('lmdb', help='a TextZoom-format LMDB folder')
    parser.add_argument('out_dir')
    args = parser.parse_args()
    try:
        counts = export(args.lmdb, args.out_dir)
    except TextZoomLMDBError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print(f'{counts["written"]} samples written to {args.out_dir} ({counts["bad"]} bad records skipped)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
