"""Does the SR branch learn RGB? A quick probe without the runner: trains GlyphSRNet (the `make demo` width: 32
channels, 3 SR blocks, bicubic skip, no STN, no text prior) on in-memory synthetic pairs with Adam and reports PSNR
(RGB, 0-255) on 100 test images per subset against bicubic every ``--every`` iterations. Options add the GPM/GFM
with the glyph losses (``--glyph W``, class term ``--cls``; the synthetic set's exact masks) or the training-time
``TextRandomAffine`` (``--affine``), to find which part holds the RGB back. To see which losses make SR read
better, not only score higher PSNR: ``--tfl CE`` adds the text focus loss of the shipped width-0.125 TBSRN
transformer (attention L1 x10, CE x``CE``), ``--rec W`` the CTC loss of the frozen EasyOCR english_g2 reading SR,
and ``--ocr`` reads the test images with rapidocr at every report.

    python tools/analysis/sr_branch_probe.py data/syn20k [--glyph 1 --cls 0] [--affine] [--tfl 0.01] [--rec 0.01]
        [--ocr] [--save model.pth]

Used for docs/reproduction.md ("Why the demo's SR did not learn").
"""
import argparse
import os.path as osp
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from glyphsr_mm.datasets import TextZoomLMDB  # noqa: E402
from glyphsr_mm.evaluation import is_match  # noqa: E402
from glyphsr_mm.glyph.extraction import render_masks  # noqa: E402
from glyphsr_mm.models.editors.glyphsr import GlyphSRNet  # noqa: E402
from glyphsr_mm.models.losses import GlyphLoss  # noqa: E402
from glyphsr_mm.transforms import AddTextMaskChannel, TextRandomAffine  # noqa: E402
from glyphsr_mm.utils.image import resize_bicubic  # noqa: E402
from glyphsr_mm.utils.text import str_filt  # noqa: E402


def load(root: str, n: int, glyph: bool = False):
    """LR 16x64 / HR 32x128 with the mask channel, in [0, 1]; with ``glyph`` also the exact masks and labels."""
    db, add_mask = TextZoomLMDB(root), AddTextMaskChannel()
    lrs, hrs, masks, labels = [], [], [], []
    for i in range(1, min(n, len(db)) + 1):
        im = db.read_images(i)
        r = add_mask(dict(img=resize_bicubic(im['lr'], (16, 64)), gt=resize_bicubic(im['hr'], (32, 128))))
        lrs.append(r['img'])
        hrs.append(r['gt'])
        labels.append(str_filt(db.read_label(i), 'all'))
        if glyph:
            chars, line = render_masks((root, i))
            m = np.zeros((17, 32, 128), np.uint8)
            m[:min(16, len(chars))] = chars[:16]
            m[16] = line
            masks.append(m)
    t = lambda x: torch.from_numpy(np.stack(x)).permute(0, 3, 1, 2).float() / 255  # noqa: E731
    return t(lrs), t(hrs), (torch.from_numpy(np.stack(masks)).float() if glyph else None), labels


def word_accuracy(reader, images: torch.Tensor, labels) -> float:
    """Word accuracy in % (lower-cased alphanumerics), reading ``images`` 100 at a time."""
    preds = [p for i in range(0, len(images), 100) for p in reader.predict(images[i:i + 100])]
    return 100 * float(np.mean([is_match(p, t) for p, t in zip(preds, labels)]))


def psnr(sr: torch.Tensor, hr: torch.Tensor) -> float:
    sr, hr = (sr[:, :3].clamp(0, 1) * 255).round(), (hr[:, :3] * 255).round()
    return (10 * torch.log10(255 ** 2 / ((sr - hr) ** 2).mean((1, 2, 3)))).mean().item()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('data', help='synthetic TextZoom root (train, test/{easy,medium,hard})')
    p.add_argument('--iters', type=int, default=600)
    p.add_argument('--every', type=int, default=150)
    p.add_argument('--num-train', type=int, default=4000)
    p.add_argument('--lr', type=float, default=5e-4)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--mask-weight', type=float, default=0.1, help='weight of the mask channel in the pixel MSE')
    p.add_argument('--glyph', type=float, default=0.0, help='weight of the glyph losses (0: no GPM/GFM)')
    p.add_argument('--cls', type=float, default=1.0, help='class-term weight inside the glyph loss')
    p.add_argument('--affine', action='store_true', help='TextRandomAffine(prob=0.5) on the training pairs')
    p.add_argument('--tfl', type=float, default=None, metavar='CE',
                   help='add the text focus loss (shipped TBSRN w0.125) with this CE weight')
    p.add_argument('--tfl-attention', type=float, default=10.0, help='attention-L1 weight of the text focus loss')
    p.add_argument('--rec', type=float, default=None, metavar='W',
                   help='add the recognition loss (CTC of the frozen EasyOCR english_g2 on SR) with this weight')
    p.add_argument('--ocr', action='store_true', help='also report rapidocr word accuracy on the test images')
    p.add_argument('--save', default=None, help='save the final generator state dict here')
    args = p.parse_args(argv)
    torch.manual_seed(args.seed)
    lr_tr, hr_tr, masks, labels = load(osp.join(args.data, 'train'), args.num_train, glyph=args.glyph > 0)
    tests = [load(osp.join(args.data, 'test', s), 100) for s in ('easy', 'medium', 'hard')]
    lr_te, hr_te = torch.cat([t[0] for t in tests]), torch.cat([t[1] for t in tests])
    labels_te = [w for t in tests for w in t[3]]
    bicubic_te = F.interpolate(lr_te, scale_factor=2, mode='bicubic', align_corners=False)
    bicubic = psnr(bicubic_te, hr_te)
    reader = None
    if args.ocr:
        from glyphsr_mm.models.recognizers import RapidOCRRecognizer
        reader = RapidOCRRecognizer()
        print(f'rapidocr bicubic {word_accuracy(reader, bicubic_te, labels_te):.1f}%, '
              f'HR {word_accuracy(reader, hr_te, labels_te):.1f}%', flush=True)
    print(f'bicubic PSNR {bicubic:.3f}', flush=True)
    rec_loss = None
    if args.rec is not None:
        from glyphsr_mm.models.losses import RecognitionLoss
        rec_loss = RecognitionLoss(dict(type='EasyOCRRecognizer'), loss_weight=args.rec)
    tfl = None
    if args.tfl is not None:
        from glyphsr_mm.models.losses import TextFocusLoss
        root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
        tfl = TextFocusLoss(dict(type='TBSRNTransformerRecognizer', width=0.125, num_heads=8, feature_pe=True,
                                 checkpoint=osp.join(root, 'checkpoints/tbsrn_transformer_w0.125_synthetic.pth')),
                            attention_weight=args.tfl_attention, ce_weight=args.tfl,
                            confusion=osp.join(root, 'checkpoints/confusion_62x62.npy'))
    net = GlyphSRNet(channels=32, num_blocks=3, glyph_block=2 if args.glyph else None, prior_classes=0,
                     bicubic_skip=True, stn='off', dcn_backend='torchvision')
    glyph_loss, affine = GlyphLoss(cls_weight=args.cls), TextRandomAffine(prob=0.5)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    g = torch.Generator().manual_seed(args.seed)
    t0 = time.time()
    for it in range(1, args.iters + 1):
        net.train()
        idx = torch.randint(0, len(lr_tr), (args.batch, ), generator=g)
        x, y = lr_tr[idx], hr_tr[idx]
        if args.affine:
            to8 = lambda a: (a.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)  # noqa: E731
            pairs = [affine(dict(img=to8(a), gt=to8(b))) for a, b in zip(x, y)]
            x = torch.stack([torch.from_numpy(r['img']).permute(2, 0, 1) for r in pairs]).float() / 255
            y = torch.stack([torch.from_numpy(r['gt']).permute(2, 0, 1) for r in pairs]).float() / 255
        sr, (line, chars, logits) = net(x)
        per_channel = F.mse_loss(sr, y, reduction='none').mean((0, 2, 3))
        loss = (per_channel[:3].sum() + args.mask_weight * per_channel[3:].sum()) / sr.shape[1]
        if args.glyph:
            terms = glyph_loss(line, chars, logits, masks[idx][:, 16:], masks[idx][:, :16], [labels[j] for j in idx])
            loss = loss + args.glyph * sum(terms.values())
        if tfl is not None:
            loss = loss + sum(tfl(sr[:, :3], y[:, :3], [labels[j] for j in idx]).values())
        if rec_loss is not None:
            loss = loss + rec_loss(sr[:, :3], [labels[j] for j in idx])['loss_rec']
        opt.zero_grad()
        loss.backward()
        opt.step()
        if it % args.every == 0:
            net.eval()
            with torch.no_grad():
                sr_te = net(lr_te)[0]
            value = psnr(sr_te, hr_te)
            ocr = f', rapidocr {word_accuracy(reader, sr_te, labels_te):.1f}%' if reader else ''
            print(f'iter {it}: PSNR {value:.3f} ({value - bicubic:+.3f} dB vs bicubic){ocr}, loss {loss.item():.5f}, '
                  f'{time.time() - t0:.0f} s', flush=True)
    if args.save:
        torch.save(net.state_dict(), args.save)
    return 0


if __name__ == '__main__':
    sys.exit(main())
