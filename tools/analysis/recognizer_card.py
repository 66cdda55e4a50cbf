"""Word accuracy of the Table 1 evaluators (or any of them) on a synthetic test set and on the real word crops: what
their cards in checkpoints/README.md report.

    python tools/analysis/recognizer_card.py data/syn_test_seed1 [--names CRNN MORAN] [--out card.json]

For each evaluator of configs/_base_/evaluation/synthetic_evaluators.py: word accuracy (TextZoom's protocol,
lower-cased alphanumerics) per test split on HR and on the LR image handed over at 16x64 (as Table 1 does: the
recognizer's own preprocessing resizes it), and on the labelled real crops of tests/data/real_word_crops, read at
32x128 (PIL bicubic) and at 16x64 (the SR models' input).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SPLITS = ('easy', 'medium', 'hard')


def read_all(rec, images, batch: int = 64):
    import numpy as np
    import torch
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = torch.stack([torch.from_numpy(np.array(a)).permute(2, 0, 1) for a in images[i:i + batch]]).float() / 255.
            out += rec.predict(x)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('data', help='a synthetic TextZoom with test/{easy,medium,hard}')
    p.add_argument('--names', nargs='*', help='evaluators to measure (default: all five)')
    p.add_argument('--crops', default=osp.join(ROOT, 'tests', 'data', 'real_word_crops'))
    p.add_argument('--out', help='write the figures as JSON')
    args = p.parse_args(argv)
    import numpy as np
    from mmengine.config import Config
    from PIL import Image

    import glyphsr_mm  # noqa: F401  (registers the recognizers)
    from glyphsr_mm.datasets import TextZoomLMDB
    from glyphsr_mm.evaluation import is_match
    from glyphsr_mm.registry import MODELS
    from glyphsr_mm.utils.text import read_label_file
    cfg = Config.fromfile(osp.join(ROOT, 'configs', '_base_', 'evaluation', 'synthetic_evaluators.py'))
    names = args.names or list(cfg.table1_recognizers)
    unknown = [n for n in names if n not in cfg.table1_recognizers]
    if unknown:
        raise SystemExit(f'unknown evaluator(s) {unknown}; choose from {list(cfg.table1_recognizers)}')
    data = {}
    for s in SPLITS:
        db = TextZoomLMDB(osp.join(args.data, 'test', s))
        idx = range(1, len(db) + 1)
        data[s] = dict(labels=[db.read_label(i) for i in idx], hr=[db.read_image('hr', i) for i in idx],
                       lr=[db.read_image('lr', i) for i in idx])
    crops = read_label_file(osp.join(args.crops, 'labels.tsv'))
    pics = [Image.open(osp.join(args.crops, f)).convert('RGB') for f, _ in crops]
    crop_imgs = {'HR 32x128': [np.asarray(im.resize((128, 32), Image.BICUBIC)) for im in pics],
                 'LR 16x64': [np.asarray(im.resize((64, 16), Image.BICUBIC)) for im in pics]}
    result = {}
    for name in names:
        t = time.time()
        rec = MODELS.build(dict(cfg.table1_recognizers[name])).eval()
        r = {}
        for kind in ('hr', 'lr'):
            accs = {}
            for s in SPLITS:
                preds = read_all(rec, data[s][kind])
                accs[s] = 100. * np.mean([is_match(pr, gt) for pr, gt in zip(preds, data[s]['labels'])])
            accs['average'] = float(np.mean([accs[s] for s in SPLITS]))
            r[f'synthetic test {kind.upper()}'] = {k: round(float(v), 1) for k, v in accs.items()}
        for kind, imgs in crop_imgs.items():
            preds = read_all(rec, imgs)
            r[f'real crops {kind}'] = f'{sum(is_match(pr, gt) for pr, (_, gt) in zip(preds, crops))}/{len(crops)}'
        r['seconds'] = round(time.time() - t, 1)
        result[name] = r
        print(name, json.dumps(r))
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as f:
            json.dump(dict(data=args.data, evaluators=result), f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
