"""The command line of ``tools/demo.py``: super-resolve image files with :class:`TextSRInferencer`."""
import argparse
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

#: ``--recognizer`` choices: offline recognizers that need no weights file.
RECOGNIZERS = {'rapidocr': dict(type='RapidOCRRecognizer'), 'easyocr': dict(type='EasyOCRRecognizer')}


def parse_demo_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='Super-resolve word images (any size, no HR needed)')
    p.add_argument('config', help='config of the restorer')
    p.add_argument('checkpoint', help='restorer checkpoint')
    p.add_argument('inputs', nargs='+', metavar='INPUT', help='image files or folders (searched recursively)')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--sheet', action='store_true', help='also write LR | SR | glyph-map sheets')
    p.add_argument('--recognizer', choices=sorted(RECOGNIZERS), help='read LR and SR with this offline recognizer')
    p.add_argument('--device', default='auto', help="'auto' (CUDA when available), 'cpu', 'cuda', 'cuda:1'...")
    p.add_argument('--batch-size', type=int, default=64)
    return p.parse_args(argv)


def output_names(paths: Sequence[str]) -> List[str]:
    """File stems, made unique (``a``, ``a_1``...) when two inputs share one."""
    seen: Dict[str, int] = {}
    names = []
    for p in paths:
        stem = osp.splitext(osp.basename(p))[0]
        n = seen.get(stem, 0)
        seen[stem] = n + 1
        names.append(stem if n == 0 else f'{stem}_{n}')
    return names


def _write_png(path: str, rgb) -> None:
    from PIL import Image
    Image.fromarray(rgb).save(path)


def run_demo(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_demo_args(argv)
    from tqdm import tqdm

    from glyphsr_mm.apis import TextSRInferencer, read_images
    from glyphsr_mm.apis.text_sr_inferencer import list_images
    from glyphsr_mm.utils.glyph_sheet import glyph_sheet, tile
    try:
        paths = list_images(args.inputs)
    except FileNotFoundError as e:
        raise SystemExit(str(e))
    os.makedirs(args.out, exist_ok=True)
    inferencer = TextSRInferencer(args.config, args.checkpoint, device=args.device)
    print(f'{len(paths)} images, model on {inferencer.device}, mask channel: {inferencer.add_mask}')
    recognizer = None
    if args.recognizer:
        from glyphsr_mm.registry import MODELS
        recognizer = MODELS.build(RECOGNIZERS[args.recognizer]).eval()
    names = output_names(paths)
    rows, readout = [], []
    for start in tqdm(range(0, len(paths), args.batch_size), desc='super-resolving', unit='batch'):
        chunk = paths[start:start + args.batch_size]
        out = inferencer(read_images(chunk), batch_size=args.batch_size)
        to_u8 = lambda t: (t.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()  # noqa: E731
        for i, name in enumerate(names[start:start + len(chunk)]):
            _write_png(osp.join(args.out, f'{name}.png'), to_u8(out['sr'][i]))
            if args.sheet:
                row = glyph_sheet([out['lr'][i]], [out['sr'][i]], None,
                                  None if out['line_map'] is None else [out['line_map'][i]],
                                  None if out['char_maps'] is None else [out['char_maps'][i]], value_range=1.)
                _write_png(osp.join(args.out, f'{name}_sheet.png'), row)
                rows.append(row)
        if recognizer is not None:
            import torch.nn.functional as F
            lr_up = F.interpolate(out['lr'], size=out['sr'].shape[-2:], mode='bicubic', align_corners=False)
            lr_text, sr_text = recognizer.predict(lr_up.clamp(0, 1)), recognizer.predict(out['sr'])
            readout += list(zip(chunk, lr_text, sr_text))
    if rows:
        import torch
        _write_png(osp.join(args.out, 'sheet.png'),
                   tile([[torch.from_numpy(r).permute(2, 0, 1).float() / 255.] for r in rows]))
    if readout:
        with open(osp.join(args.out, 'readout.tsv'), 'w', encoding='utf-8') as f:
            f.write('image\tLR (bicubic)\tSR\n')
            f.writelines(f'{p}\t{lr}\t{sr}\n' for p, lr, sr in readout)
        for p, lr, sr in readout:
            print(f'{osp.basename(p)}: LR {lr!r} -> SR {sr!r}')
    print(f'wrote {len(paths)} SR images (32x128) to {args.out}' + (' with sheets' if rows else ''))
    return 0
