"""The command line of ``tools/demo.py``: super-resolve image files with :class:`TextSRInferencer`."""
import argparse
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

from glyphsr_mm.cli import REPO_ROOT

#: ``--recognizer`` choices: offline recognizers that need no weights file.
RECOGNIZERS = {'rapidocr': dict(type='RapidOCRRecognizer'), 'easyocr': dict(type='EasyOCRRecognizer')}
#: The model that runs when no config and checkpoint are given: the shipped synthetic-trained GlyphSR.
SHIPPED_CONFIG = osp.join(REPO_ROOT, 'configs', 'demo', 'glyphsr_shipped_synthetic.py')
SHIPPED_CHECKPOINT = osp.join(REPO_ROOT, 'checkpoints', 'glyphsr_synthetic.pth')


def parse_demo_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description='Super-resolve word images (any size, no HR needed)',
        usage='%(prog)s [CONFIG CHECKPOINT] INPUT [INPUT ...] --out DIR [options]',
        epilog='Without CONFIG and CHECKPOINT the shipped model runs (checkpoints/glyphsr_synthetic.pth, '
               'trained on the synthetic TextZoom; docs/reproduction.md).')
    p.add_argument('inputs', nargs='+', metavar='INPUT',
                   help='image files or folders (searched recursively), optionally after CONFIG (.py) and '
                        'CHECKPOINT (.pth)')
    p.add_argument('--config', default=None, help='config of the restorer (default: the shipped model\'s)')
    p.add_argument('--checkpoint', default=None, help='restorer checkpoint (default: the shipped model)')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--sheet', action='store_true', help='also write LR | SR | glyph-map sheets')
    p.add_argument('--recognizer', choices=sorted(RECOGNIZERS), help='read LR and SR with this offline recognizer')
    p.add_argument('--labels', default=None, metavar='TSV',
                   help='file<TAB>label rows (labels.tsv) for the inputs: with --recognizer, report word accuracy '
                        'on bicubic LR and SR')
    p.add_argument('--device', default='auto', help="'auto' (CUDA when available), 'cpu', 'cuda', 'cuda:1'...")
    p.add_argument('--batch-size', type=int, default=64)
    args = p.parse_args(argv)
    if len(args.inputs) >= 3 and args.inputs[0].endswith('.py') and args.inputs[1].endswith(('.pth', '.pt')):
        if args.config or args.checkpoint:
            p.error('give CONFIG CHECKPOINT either as the first two arguments or as --config/--checkpoint')
        args.config, args.checkpoint, args.inputs = args.inputs[0], args.inputs[1], args.inputs[2:]
    if (args.config is None) != (args.checkpoint is None):
        p.error('--config and --checkpoint go together (neither: the shipped model)')
    if args.labels and not args.recognizer:
        p.error('--labels needs --recognizer (the recognizer that reads LR and SR)')
    if args.config is None:
        args.config, args.checkpoint = SHIPPED_CONFIG, SHIPPED_CHECKPOINT
        if not osp.isfile(SHIPPED_CHECKPOINT):
            p.error(f'the shipped model {SHIPPED_CHECKPOINT} is missing (a clone without it?): pass CONFIG '
                    'CHECKPOINT')
    return args


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


def super_resolve_files(args: argparse.Namespace) -> Dict[str, object]:
    """Super-resolve ``args.inputs`` into ``args.out`` (see :func:`parse_demo_args`); returns a summary: number of
    images and, with ``args.labels``, the recognizer's correct words on bicubic LR and on SR."""
    import torch.nn.functional as F
    from tqdm import tqdm

    from glyphsr_mm.apis import TextSRInferencer, read_images
    from glyphsr_mm.apis.text_sr_inferencer import list_images
    from glyphsr_mm.evaluation import is_match
    from glyphsr_mm.utils.glyph_sheet import glyph_sheet, tile
    from glyphsr_mm.utils.text import read_label_file
    try:
        paths = list_images(args.inputs)
    except FileNotFoundError as e:
        raise SystemExit(str(e))
    labels = {}
    if args.labels:
        labels = dict(read_label_file(args.labels))
        missing = [osp.basename(p) for p in paths if osp.basename(p) not in labels]
        if missing:
            raise SystemExit(f'{args.labels} has no label for {len(missing)} input(s): {", ".join(missing[:5])}')
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
            lr_up = F.interpolate(out['lr'], size=out['sr'].shape[-2:], mode='bicubic', align_corners=False)
            lr_text, sr_text = recognizer.predict(lr_up.clamp(0, 1)), recognizer.predict(out['sr'])
            readout += list(zip(chunk, lr_text, sr_text))
    if rows:
        import torch
        _write_png(osp.join(args.out, 'sheet.png'),
                   tile([[torch.from_numpy(r).permute(2, 0, 1).float() / 255.] for r in rows]))
    summary: Dict[str, object] = dict(images=len(paths))
    if readout:
        with open(osp.join(args.out, 'readout.tsv'), 'w', encoding='utf-8') as f:
            f.write('image\tLR (bicubic)\tSR' + ('\tlabel' if labels else '') + '\n')
            for p, lr, sr in readout:
                f.write(f'{p}\t{lr}\t{sr}' + (f'\t{labels[osp.basename(p)]}' if labels else '') + '\n')
        for p, lr, sr in readout:
            print(f'{osp.basename(p)}: LR {lr!r} -> SR {sr!r}')
        if labels:
            truth = [labels[osp.basename(p)] for p, _, _ in readout]
            summary.update(recognizer=args.recognizer, labelled=len(readout),
                           lr_correct=sum(is_match(lr, t) for (_, lr, _), t in zip(readout, truth)),
                           sr_correct=sum(is_match(sr, t) for (_, _, sr), t in zip(readout, truth)))
            print(f'{args.recognizer} word accuracy on {len(readout)} labelled images: bicubic LR '
                  f'{summary["lr_correct"]}/{len(readout)}, SR {summary["sr_correct"]}/{len(readout)}')
    print(f'wrote {len(paths)} SR images (32x128) to {args.out}' + (' with sheets' if rows else ''))
    return summary


def run_demo(argv: Optional[Sequence[str]] = None) -> int:
    super_resolve_files(parse_demo_args(argv))
    return 0
