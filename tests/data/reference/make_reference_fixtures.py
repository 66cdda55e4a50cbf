"""Make the reference fixtures of tests/data/reference/ by running the *upstream* code (not part of the test run).

Run it outside the repository's package, with checkouts of the upstream repositories (README.md names the commits):

    python tests/data/reference/make_reference_fixtures.py --upstream /tmp/ref/src [--only glyphsr,moran]

``--upstream`` holds one folder per repository, named ``owner+name`` (``TriplePool+GlyphSR``,
``meijieru+crnn.pytorch``, ``baudm+parseq``, ...). Each fixture: build the upstream network, give it seeded ternary
weights (tests/reference_fixtures.py), run it in eval mode the way the upstream evaluation runs it (its own input
preprocessing and decoding) on the real word crops of tests/data/real_word_crops, and store weights, inputs and
outputs. Nothing of glyphsr_mm is used except the weight codec and the image reader below.
"""
import argparse
import glob
import importlib
import os
import os.path as osp
import sys
import types

import numpy as np
import torch
import torch.nn.functional as F

HERE = osp.dirname(osp.abspath(__file__))
sys.path.insert(0, osp.dirname(osp.dirname(HERE)))  # tests/
from reference_fixtures import decode_state_dict, save_fixture, ternary_state_dict  # noqa: E402

torch.Tensor.cuda = lambda self, *a, **k: self  # the upstream code calls .cuda() unconditionally
torch.nn.Module.cuda = lambda self, *a, **k: self
for _name in ('IPython', 'editdistance', 'colour'):  # imported at module level, unused on these paths
    sys.modules.setdefault(_name, types.SimpleNamespace(embed=lambda *a, **k: None, eval=None, Color=None))
for _old, _new in (('kaiming_normal', 'kaiming_normal_'), ('constant', 'constant_'), ('normal', 'normal_'),
                   ('xavier_uniform', 'xavier_uniform_'), ('uniform', 'uniform_')):
    if not hasattr(torch.nn.init, _old):
        setattr(torch.nn.init, _old, getattr(torch.nn.init, _new))


def crops(size, n=8):
    """The first n real word crops as B x 3 x H x W float32 in [0, 1], resized with PIL bicubic."""
    from PIL import Image
    files = sorted(glob.glob(osp.join(HERE, '..', 'real_word_crops', '*.jpg')))[:n]
    arr = [np.asarray(Image.open(f).convert('RGB').resize(size[::-1], Image.BICUBIC), np.float32) / 255 for f in files]
    return torch.from_numpy(np.stack(arr).transpose(0, 3, 1, 2).copy())


def with_weights(model, seed, skip=(), density=2 / 3, gains=None):
    codes = ternary_state_dict(model, seed, skip, density, gains)
    model.load_state_dict(decode_state_dict(codes), strict=not skip)
    return model.eval(), codes


def commit(root):
    path = osp.join(root, 'COMMIT')
    return open(path).read().strip() if osp.exists(path) else 'unknown'


def upstream_import(root, module, fresh=('model', 'utils', 'models', 'loss', 'strhub')):
    for key in [k for k in sys.modules if k.split('.')[0] in fresh]:
        del sys.modules[key]
    sys.path.insert(0, root)
    try:
        return importlib.import_module(module)
    finally:
        sys.path.remove(root)


# -- GlyphSR (authors' release) -----------------------------------------------------------------------------------
def make_glyphsr(up, out):
    root = osp.join(up, 'TriplePool+GlyphSR')
    G = upstream_import(root, 'model.GlyphSR')
    torch.manual_seed(0)
    net = G.GlyphSR(scale_factor=2, width=128, height=32, STN=True, srb_nums=5, mask=True, hidden_units=32,
                    text_emb=95, out_text_channels=32, char_block=5)
    net, codes = with_weights(net, seed=1)
    rgb = crops((16, 64))
    gray = (rgb * torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1, keepdim=True)
    mask = (gray > gray.mean((2, 3), keepdim=True)).float()  # the release's mean-threshold mask channel
    lr = torch.cat([rgb, mask], 1)
    g = torch.Generator().manual_seed(2)
    prior = torch.randn(lr.shape[0], 95, 1, 26, generator=g).mul(3).softmax(1)
    with torch.no_grad():
        sr, (seg, char, cls) = net(lr, prior)
    save_fixture(osp.join(out, 'glyphsr_release.npz.xz'), codes, {'lr': lr, 'text_prior': prior},
                 {'sr': sr, 'line_map': seg, 'char_maps': char, 'char_logits': cls},
                 dict(upstream='TriplePool/GlyphSR', commit=commit(root), file='model/GlyphSR.py',
                      call='GlyphSR(scale_factor=2, width=128, height=32, STN=True, srb_nums=5, mask=True, '
                           'hidden_units=32, text_emb=95, out_text_channels=32, char_block=5).eval()(lr, text_prior)'))


# -- TextZoom evaluators as the release runs them (interfaces/base_GlyphSR.py) ---------------------------------------
# Every recognizer fixture has two batches: 'images' (32 x 128, the SR/HR size) and 'images_lr' (16 x 64, the LR
# row of Table 1, which the release feeds to each evaluator's own preprocessing as it is).
def gray(x):
    return 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]


def both_sizes(run):
    """{'images': ..., 'images_lr': ...} inputs and the outputs / strings of ``run`` on each (suffix ``_lr``)."""
    inputs, outputs, strings = {}, {}, {}
    for key, size in (('images', (32, 128)), ('images_lr', (16, 64))):
        suffix = key[len('images'):]
        inputs[key] = crops(size)
        with torch.no_grad():
            outs, strs = run(inputs[key])
        outputs.update({k + suffix: v for k, v in outs.items()})
        strings.update({k + suffix: v for k, v in strs.items()})
    return inputs, outputs, strings


def make_crnn(up, out):
    root = osp.join(up, 'meijieru+crnn.pytorch')
    crnn = upstream_import(root, 'models.crnn')
    torch.manual_seed(0)
    net, codes = with_weights(crnn.CRNN(32, 1, 37, 256), seed=3, gains={'rnn.1.embedding.weight': 400, 'cnn.conv*.bias': 0.0, 'cnn.conv*.weight': 1.5, 'rnn.*.rnn.bias*': 0.0})
    alphabet = '-0123456789abcdefghijklmnopqrstuvwxyz'

    def run(images):
        logits = net(gray(F.interpolate(images, (32, 100), mode='bicubic')))  # parse_crnn_data; T x B x 37
        strings = []  # utils/metrics.py get_string_crnn
        for row in logits.permute(1, 0, 2).argmax(2):
            s, last = '', ''
            for i in row.tolist():
                if alphabet[i] != last:
                    if i != 0:
                        s += alphabet[i]
                        last = alphabet[i]
                    else:
                        last = ''
            strings.append(s)
        return {'probs': logits.softmax(2).permute(1, 2, 0).unsqueeze(2)}, {'strings': strings}

    inputs, outputs, strings = both_sizes(run)
    save_fixture(osp.join(out, 'crnn_meijieru.npz.xz'), codes, inputs, outputs,
                 dict(upstream='meijieru/crnn.pytorch', commit=commit(root), file='models/crnn.py',
                      preprocess='bicubic to 32x100, 0.299R+0.587G+0.114B (TriplePool/GlyphSR parse_crnn_data)',
                      gains={'rnn.1.embedding.weight': 400, 'cnn.conv*.bias': 0.0, 'cnn.conv*.weight': 1.5, 'rnn.*.rnn.bias*': 0.0}, **strings))


def make_moran(up, out):
    root = osp.join(up, 'TriplePool+GlyphSR')
    moran = upstream_import(root, 'model.moran')
    torch.manual_seed(0)
    net = moran.MORAN(1, 37, 256, 32, 100, BidirDecoder=True, inputDataType='torch.FloatTensor', CUDA=False)
    gains = {'ASRN.attentionL2R.generator.*': 20, 'MORN.cnn.*': 2}
    net, codes = with_weights(net, seed=4, gains=gains, density=0.25)  # sparse: < 5 MB
    alphabet = '0123456789abcdefghijklmnopqrstuvwxyz$'

    def run(images):
        x = gray(F.interpolate(images, (32, 100), mode='bicubic'))  # parse_moran_data
        b, steps = x.shape[0], 20
        length = torch.IntTensor([steps] * b)
        text = torch.LongTensor([0] * (steps * b))
        rectified = net.MORN(x, test=True)
        preds, _ = net(x, length, text, text, test=True)
        logits = preds.view(b, steps, 37)
        strings = [''.join(alphabet[i] for i in row).split('$')[0] for row in logits.argmax(2).tolist()]
        return {'rectified': rectified, 'probs': logits.softmax(2).permute(0, 2, 1).unsqueeze(2)}, {'strings': strings}

    inputs, outputs, strings = both_sizes(run)
    save_fixture(osp.join(out, 'moran_release.npz.xz'), codes, inputs, outputs,
                 dict(upstream='TriplePool/GlyphSR', commit=commit(root), file='model/moran/',
                      call="MORAN(1, 37, 256, 32, 100, BidirDecoder=True)(x, length, text, text, test=True)",
                      preprocess='bicubic to 32x100, gray (parse_moran_data); 20 steps; split at $', gains=gains,
                      **strings))


def make_aster(up, out):
    root = osp.join(up, 'TriplePool+GlyphSR')
    rec = upstream_import(root, 'model.recognizer')
    labelmaps = upstream_import(root, 'utils.labelmaps')
    voc = labelmaps.get_vocabulary('all')
    eos = voc.index('EOS')
    torch.manual_seed(0)
    net = rec.RecognizerBuilder(arch='ResNet_ASTER', rec_num_classes=len(voc), sDim=512, attDim=512,
                                max_len_labels=100, eos=eos, STN_ON=True)
    gains = {'decoder.decoder.fc.*': 10, 'stn_head.fc2.*': 20}
    net, codes = with_weights(net, seed=5, gains=gains, density=0.25)  # sparse: < 5 MB

    def to_str(ids):  # get_string_aster before its lower-case alphanumeric filter
        s = []
        for i in ids:
            if i == eos:
                break
            if voc[i] not in ('PADDING', 'UNKNOWN'):
                s.append(voc[i])
        return ''.join(s)

    def run(images):
        x = images * 2 - 1  # parse_aster_data: no resize
        b = x.shape[0]
        beam = net({'images': x, 'rec_targets': torch.IntTensor(b, 100).fill_(1),
                    'rec_lengths': [100] * b})['output']['pred_rec']
        # The same network, greedy (AttentionRecognitionHead.sample, keeping every step's distribution).
        stn_in = F.interpolate(x, (32, 64), mode='bilinear', align_corners=True)
        rectified, _ = net.tps(x, net.stn_head(stn_in)[1])
        feats = net.encoder(rectified).contiguous()
        state = torch.zeros(1, b, 512)
        y = torch.full((b, ), len(voc), dtype=torch.long)
        probs = []
        for _ in range(26):
            o, state = net.decoder.decoder(feats, state, y)
            probs.append(o.softmax(1))
            y = o.argmax(1)
        probs = torch.stack(probs, 1)
        return ({'rectified': rectified, 'probs': probs.permute(0, 2, 1).unsqueeze(2), 'beam_ids': beam},
                {'beam_strings': [to_str(r) for r in beam.tolist()],
                 'greedy_strings': [to_str(r) for r in probs.argmax(2).tolist()]})

    inputs, outputs, strings = both_sizes(run)
    save_fixture(osp.join(out, 'aster_release.npz.xz'), codes, inputs, outputs,
                 dict(upstream='TriplePool/GlyphSR', commit=commit(root), file='model/recognizer/',
                      call="RecognizerBuilder('ResNet_ASTER', 97, 512, 512, 100, eos=94, STN_ON=True).eval()",
                      preprocess='images * 2 - 1, no resize (parse_aster_data); beam search width 5, 100 steps',
                      gains=gains, **strings))


# -- PARSeq (baudm/parseq), as the release uses it for the text prior (torch.hub 'parseq', parse_parseq_data) ----------
def make_parseq(up, out):
    root = osp.join(up, 'baudm+parseq')
    model = upstream_import(root, 'strhub.models.parseq.model')
    utils = upstream_import(root, 'strhub.data.utils', fresh=())
    charset = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'
    tokenizer = utils.Tokenizer(charset)
    torch.manual_seed(0)
    # parseq-tiny's widths (configs/experiment/parseq-tiny.yaml); the rest as configs/model/parseq.yaml
    net = model.PARSeq(len(tokenizer), 25, (32, 128), (4, 8), embed_dim=192, enc_num_heads=3, enc_mlp_ratio=4,
                       enc_depth=12, dec_num_heads=6, dec_mlp_ratio=4, dec_depth=1, decode_ar=True, refine_iters=1,
                       dropout=0.1)
    gains = {'head.*': 30}
    net, codes = with_weights(net, seed=6, gains=gains)

    def run(images):
        x = F.interpolate(images, (32, 128), mode='bicubic') * 2 - 1  # parse_parseq_data
        logits = net(tokenizer, x)  # max_length=None: the evaluation path (stops when every word has ended)
        strings, _ = tokenizer.decode(logits.softmax(-1))
        return {'probs': logits.softmax(-1).permute(0, 2, 1).unsqueeze(2)}, {'strings': strings}

    inputs, outputs, strings = both_sizes(run)
    save_fixture(osp.join(out, 'parseq_baudm.npz.xz'), codes, inputs, outputs,
                 dict(upstream='baudm/parseq', commit=commit(root), file='strhub/models/parseq/model.py',
                      call='PARSeq(97, 25, (32, 128), (4, 8), 192, 3, 4, 12, 6, 4, 1, decode_ar=True, refine_iters=1, '
                           'dropout=0.1).eval()(Tokenizer(94 chars), x)',
                      preprocess='bicubic to 32x128, x * 2 - 1 (TriplePool/GlyphSR parse_parseq_data)', gains=gains,
                      **strings))


# -- TBSRN's transformer (FudanVI/FudanOCR scene-text-telescope), as its text focus loss calls it ---------------------
def make_tbsrn(up, out):
    root = osp.join(up, 'sttel')
    tr = upstream_import(root, 'loss.transformer')
    torch.manual_seed(0)
    gains = {'generator_word.*': 10}
    net, codes = with_weights(tr.Transformer(), seed=7, skip=('pe.pe', ), density=0.04, gains=gains)  # < 5 MB
    images = crops((32, 128))
    labels = ['Hello', 'world42', 'a', 'TEXT-zoom', 'sr', 'glyph', 'Perception', '2025']
    # text_focus_loss.py: str_filt(label, 'lower') + '-', label_encoder, to_gray_tensor, transformer(..., test=False)
    import string
    english = '-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
    filt = [''.join(c for c in s.lower() if c in string.digits + string.ascii_lowercase) + '-' for s in labels]
    lengths = torch.tensor([len(s) for s in filt])
    tokens = torch.zeros(len(filt), int(lengths.max()), dtype=torch.long)
    for i, s in enumerate(filt):
        for j in range(len(s) - 1):
            tokens[i, j + 1] = english.index(s[j])
    with torch.no_grad():
        packed, attention, _ = net(gray(images), lengths, tokens, test=False)
        logits = net(gray(images), lengths, tokens, test=True)
    save_fixture(osp.join(out, 'tbsrn_fudanocr.npz.xz'), codes, {'images': images},
                 {'logits': logits, 'attention': attention, 'packed_logits': packed, 'lengths': lengths},
                 dict(upstream='FudanVI/FudanOCR', commit=commit(root), file='scene-text-telescope/loss/transformer.py',
                      call='Transformer().eval()(to_gray_tensor(images), length_tensor, input_tensor, test=False)',
                      labels=labels, density=0.04, gains=gains,
                      skipped=['pe.pe (the sinusoid table, computed by the module)']))


MAKERS = dict(glyphsr=make_glyphsr, crnn=make_crnn, moran=make_moran, aster=make_aster, parseq=make_parseq,
              tbsrn=make_tbsrn)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--upstream', required=True, help='folder with one owner+name checkout per repository')
    p.add_argument('--only', default=','.join(MAKERS), help='comma-separated subset of ' + ','.join(MAKERS))
    p.add_argument('--out', default=HERE)
    args = p.parse_args()
    torch.set_num_threads(2)
    for name in args.only.split(','):
        MAKERS[name](args.upstream, args.out)
        size = os.path.getsize(osp.join(args.out, [f for f in os.listdir(args.out) if f.startswith(name)][0]))
        print(f'{name}: {size / 1e6:.2f} MB')


if __name__ == '__main__':
    main()
