"""Inspect / verify TextZoom-format LMDB folders: counts, image sizes, label charset and lengths, bad records.

    python tools/dataset_converters/inspect_lmdb.py data/textzoom/train1 [more folders] [--no-images] [--json OUT]

Exit status 1 when a folder cannot be read or has bad records.
"""
import argparse
import json
import os
import sys
from collections import Counter

from tqdm import tqdm

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from glyphsr_mm.datasets import TextZoomLMDB, TextZoomLMDBError  # noqa: E402


def inspect(path: str, decode_images: bool = True, max_bad: int = 20) -> dict:
    """Statistics of one folder; ``bad`` lists up to ``max_bad`` messages naming path and index."""
    db = TextZoomLMDB(path)
    n = len(db)
    lengths, chars, sizes = Counter(), Counter(), {'lr': Counter(), 'hr': Counter()}
    bad, n_bad, lr_only = [], 0, 0
    for i in tqdm(range(1, n + 1), desc=f'inspect {path}', unit='rec'):
        try:
            label = db.read_label(i)
            if not db.has_image('hr', i):
                lr_only += 1
            for kind in ('lr', 'hr'):
                if decode_images and db.has_image(kind, i):
                    sizes[kind][db.read_image(kind, i).shape[:2]] += 1
            if not db.has_image('lr', i):
                raise TextZoomLMDBError(f'{db.where(i)}: key image_lr-{i:09d} is missing')
        except TextZoomLMDBError as e:
            n_bad += 1
            if len(bad) < max_bad:
                bad.append(str(e))
            continue
        lengths[len(label)] += 1
        chars.update(label)
    return dict(
        path=path, num_samples=n, bad_records=n_bad, bad=bad, lr_only=lr_only,
        label_length=dict(sorted(lengths.items())), charset=''.join(sorted(chars)),
        image_sizes={k: {f'{h}x{w}': c for (h, w), c in v.most_common(10)} for k, v in sizes.items()})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('lmdb', nargs='+')
    parser.add_argument('--no-images', action='store_true', help='do not decode images (faster)')
    parser.add_argument('--json', help='also write the statistics as JSON')
    args = parser.parse_args()
    results, rc = [], 0
    for path in args.lmdb:
        try:
            r = inspect(path, decode_images=not args.no_images)
        except TextZoomLMDBError as e:
            print(f'error: {e}', file=sys.stderr)
            rc = 1
            continue
        results.append(r)
        rc = rc or int(r['bad_records'] > 0)
        print(f'\n{path}: {r["num_samples"]} records, {r["bad_records"]} bad, {r["lr_only"]} without HR')
        print(f'  label lengths: {r["label_length"]}')
        print(f'  charset ({len(r["charset"])}): {r["charset"]}')
        for kind, s in r['image_sizes'].items():
            print(f'  {kind} sizes (H x W: count, top 10): {s}')
        for msg in r['bad']:
            print(f'  BAD {msg}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)
    return rc


if __name__ == '__main__':
    sys.exit(main())
