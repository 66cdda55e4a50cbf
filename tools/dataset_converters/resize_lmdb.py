"""Store a TextZoom-format LMDB with its images already at 16x64 / 32x128 (once), for faster loading.

    python tools/dataset_converters/resize_lmdb.py data/textzoom/train1 data/textzoom_32x128/train1

Images are resized exactly as ``LoadTextZoomImages(lr_size=..., hr_size=...)`` does on the fly (PIL bicubic by
default) and stored as PNG, which is lossless: the pipeline then yields bit-identical samples without resampling
(see docs/benchmarks.md, data_pipeline). Labels and every other key (glyph masks, boxes) are copied as they are.
"""
import argparse
import os
import sys

from tqdm import tqdm

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from glyphsr_mm.datasets import TextZoomLMDB, TextZoomLMDBError, encode_png  # noqa: E402
from glyphsr_mm.datasets.textzoom_lmdb import decode_image, image_key  # noqa: E402
from glyphsr_mm.utils.image import resize_bicubic  # noqa: E402


def resize_lmdb(src: str, dst: str, lr_size=(16, 64), hr_size=(32, 128), backend: str = 'pillow') -> int:
    """Copy ``src`` to ``dst`` with resized images; returns the number of records."""
    import lmdb
    db = TextZoomLMDB(src)
    n = len(db)
    os.makedirs(dst, exist_ok=True)
    out = lmdb.open(dst, map_size=1 << 34)
    sizes = {'lr': tuple(lr_size), 'hr': tuple(hr_size)}
    with db.env.begin(write=False) as txn_in:
        txn = out.begin(write=True)
        for k, (key, value) in enumerate(tqdm(txn_in.cursor(), desc=f'resize {src}', unit='key')):
            key = bytes(key)
            kind = next((kd for kd in sizes if key.startswith(image_key(kd, 0)[:-9])), None)
            if kind is not None:
                img = decode_image(bytes(value), f'{db.path}[{key.decode()}]')
                value = encode_png(resize_bicubic(img, sizes[kind], backend))
            txn.put(key, bytes(value))
            if k % 5000 == 4999:
                txn.commit()
                txn = out.begin(write=True)
        txn.commit()
    out.close()
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src')
    parser.add_argument('dst')
    parser.add_argument('--lr-size', default='16x64', help='H x W')
    parser.add_argument('--hr-size', default='32x128', help='H x W')
    parser.add_argument('--backend', default='pillow', choices=['pillow', 'cv2'])
    args = parser.parse_args()
    parse = lambda v: tuple(int(x) for x in v.lower().split('x'))  # noqa: E731
    try:
        n = resize_lmdb(args.src, args.dst, parse(args.lr_size), parse(args.hr_size), args.backend)
    except TextZoomLMDBError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print(f'{n} records written to {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
