"""A figure of what SR does for a recognizer: rows of test words, columns LR | bicubic | SR | HR, each panel with
the recognizer's reading under it (green: correct under TextZoom's protocol, red: wrong).

    python tools/analysis/reading_figure.py data/syn_test_seed1/test/medium --out docs/figures/readings.png \
        [--config configs/demo/glyphsr_shipped_synthetic.py --checkpoint checkpoints/glyphsr_synthetic.pth] \
        [--recognizer crnn] [--indices 1 2 3 4 5 6] [--scale 2]

``--recognizer``: ``crnn`` (the CRNN evaluator of Table 1, checkpoints/crnn_w0.5_evaluator.pth), or any name of
``tools/demo.py --recognizer`` (rapidocr, easyocr). Indices are 1-based LMDB records.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

CRNN_EVALUATOR = dict(type='TextZoomCRNN', width=0.5, checkpoint='checkpoints/crnn_w0.5_evaluator.pth')


def build_recognizer(name: str):
    from glyphsr_mm.cli.demo import RECOGNIZERS
    from glyphsr_mm.registry import MODELS
    cfg = CRNN_EVALUATOR if name == 'crnn' else RECOGNIZERS.get(name)
    if cfg is None:
        raise SystemExit(f'unknown recognizer {name!r}: crnn or one of {sorted(RECOGNIZERS)}')
    return MODELS.build(dict(cfg)).eval()


def labelled_panel(img, text: str, ok: bool, scale: int):
    """3 x H x W tensor in [0, 1] -> H*scale + caption rows x W*scale uint8 RGB with ``text`` under the image."""
    import numpy as np
    from PIL import Image, ImageDraw
    arr = (img.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()
    h, w = arr.shape[:2]
    pic = Image.fromarray(arr).resize((w * scale, h * scale), Image.NEAREST)
    canvas = Image.new('RGB', (w * scale, h * scale + 14 * scale // 2 + 4), (255, 255, 255))
    canvas.paste(pic, (0, 0))
    ImageDraw.Draw(canvas).text((2, h * scale + 1), text or '(nothing)', fill=(0, 130, 0) if ok else (200, 0, 0))
    return np.asarray(canvas)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('lmdb', help='a TextZoom-format LMDB folder (e.g. data/syn_test_seed1/test/medium)')
    p.add_argument('--out', required=True, help='output PNG')
    p.add_argument('--config', default='configs/demo/glyphsr_shipped_synthetic.py')
    p.add_argument('--checkpoint', default='checkpoints/glyphsr_synthetic.pth')
    p.add_argument('--recognizer', default='crnn')
    p.add_argument('--indices', type=int, nargs='+', default=list(range(1, 7)))
    p.add_argument('--scale', type=int, default=2, help='pixel magnification of every panel')
    args = p.parse_args(argv)
    import numpy as np
    import torch
    import torch.nn.functional as F
    from PIL import Image

    from glyphsr_mm.apis import TextSRInferencer
    from glyphsr_mm.datasets import TextZoomLMDB
    from glyphsr_mm.evaluation import is_match

    db = TextZoomLMDB(args.lmdb)
    bad = [i for i in args.indices if not 1 <= i <= len(db)]
    if bad:
        raise SystemExit(f'{args.lmdb} has records 1..{len(db)}; no record {bad[0]}')
    recs = [db.read_images(i) for i in args.indices]
    labels: List[str] = [db.read_label(i) for i in args.indices]
    out = TextSRInferencer(args.config, args.checkpoint, device='cpu')([r['lr'] for r in recs])
    chw = lambda a: torch.from_numpy(a).permute(2, 0, 1).float() / 255.  # noqa: E731
    size = out['sr'].shape[-2:]
    lr = torch.stack([chw(r['lr']) for r in recs])
    columns = {'LR': F.interpolate(lr, size=size, mode='nearest'),
               'bicubic': F.interpolate(lr, size=size, mode='bicubic', align_corners=False).clamp(0, 1),
               'SR': out['sr'].clamp(0, 1),
               'HR': torch.stack([chw(r['hr']) for r in recs])}
    rec = build_recognizer(args.recognizer)
    with torch.no_grad():
        reads = {k: rec.predict(v) for k, v in columns.items() if k != 'LR'}
    rows = []
    for i, label in enumerate(labels):
        panels = [labelled_panel(columns['LR'][i], f'label: {label}', True, args.scale)]
        panels += [labelled_panel(columns[k][i], reads[k][i], is_match(reads[k][i], label), args.scale)
                   for k in ('bicubic', 'SR', 'HR')]
        gap = np.full((panels[0].shape[0], 6, 3), 255, np.uint8)
        rows.append(np.concatenate(sum(([q, gap] for q in panels), [])[:-1], axis=1))
    head = Image.new('RGB', (rows[0].shape[1], 14), (255, 255, 255))
    from PIL import ImageDraw
    d = ImageDraw.Draw(head)
    width = (rows[0].shape[1] + 6) // 4
    for j, name in enumerate(['LR (16x64)', 'bicubic', 'SR (GlyphSR)', 'HR']):
        d.text((j * width + 2, 1), f'{name}, read by {args.recognizer}' if j else name, fill=(0, 0, 0))
    sheet = np.concatenate([np.asarray(head)] + sum(([r, np.full((4, r.shape[1], 3), 255, np.uint8)] for r in rows), []))
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    Image.fromarray(sheet).save(args.out)
    print(f'wrote {args.out} ({len(rows)} words): ' + ', '.join(
        f'{k} {sum(is_match(t, l) for t, l in zip(reads[k], labels))}/{len(labels)}' for k in reads))
    return 0


if __name__ == '__main__':
    sys.exit(main())
