"""Where does an SR model's reading go wrong, and which training loss moves it towards readability?

    python tools/analysis/readability_diagnosis.py CONFIG CHECKPOINT --data data/syn20k \
        [--evaluator CRNN] [--limit 500] [--grad-batches 8] [--out diagnosis.md]

Reading (the test images of ``DATA/test/{easy,medium,hard}``, ``--limit`` per split): one Table 1 evaluator
(``configs/_base_/evaluation/synthetic_evaluators.py``) reads the bicubic input (handed over at 16x64, as Table 1
does), the SR output and HR. Each reading is aligned with its label character by character (difflib, TextZoom's
lower-cased alphanumerics), which gives:

- word outcomes among the words HR reads right (both right, only SR, only bicubic, neither);
- per 100 label characters: correct, substituted, deleted, and inserted characters, per row;
- what SR does with the characters bicubic gets wrong (still blurred away, a wrong letter committed, right);
- the letters SR reads worst against HR, and SR's most frequent substitutions (and whether HR makes them too).

Loss gradients (``--grad-batches`` training batches of the config's own train dataloader, fp32, train mode): the
gradient of each logged loss term on the generator's weights against the gradient of the evaluator's CTC loss on
the same SR output. A term whose gradient points along the evaluator's (cosine > 0) makes SR more readable as it
descends; the share column splits the total loss's component along the readability direction between the terms.
The evaluator is only read here, never trained on or used by the model.
"""
import argparse
import difflib
import os.path as osp
import sys
from collections import Counter, defaultdict
from typing import Dict, List, Sequence

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SPLITS = ('easy', 'medium', 'hard')
ROWS = ('bicubic', 'SR', 'HR')


def align(label: str, reading: str) -> List[tuple]:
    """Per label character ``(char, outcome, read_as)``, outcome in correct / substituted / deleted, plus
    ``(None, 'inserted', char)`` for each extra character of the reading."""
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, label, reading, autojunk=False).get_opcodes():
        if op == 'equal':
            out += [(c, 'correct', c) for c in label[i1:i2]]
        elif op == 'delete':
            out += [(c, 'deleted', '') for c in label[i1:i2]]
        elif op == 'insert':
            out += [(None, 'inserted', c) for c in reading[j1:j2]]
        else:  # replace: pairwise substitutions, the longer side's rest deleted / inserted
            n = min(i2 - i1, j2 - j1)
            out += [(label[i1 + k], 'substituted', reading[j1 + k]) for k in range(n)]
            out += [(c, 'deleted', '') for c in label[i1 + n:i2]]
            out += [(None, 'inserted', c) for c in reading[j1 + n:j2]]
    return out


def reading_tables(labels: Sequence[str], readings: Dict[str, Sequence[str]], min_count: int = 30) -> List[str]:
    """The markdown of the reading analysis (labels and readings already normalised)."""
    from glyphsr_mm.utils.markdown import markdown_table
    n = len(labels)
    right = {r: [readings[r][i] == labels[i] for i in range(n)] for r in ROWS}
    lines = [f'{n} test words; word accuracy bicubic {100 * sum(right["bicubic"]) / n:.1f} %, SR '
             f'{100 * sum(right["SR"]) / n:.1f} %, HR {100 * sum(right["HR"]) / n:.1f} %.', '']
    hr_right = [i for i in range(n) if right['HR'][i]]
    outcome = Counter((right['SR'][i], right['bicubic'][i]) for i in hr_right)
    lines += ['**Words HR reads right** (%d):' % len(hr_right), '']
    lines += markdown_table(['SR', 'bicubic', 'words', 'share'], [
        (('right' if s else 'wrong'), ('right' if b else 'wrong'), outcome[(s, b)],
         f'{100 * outcome[(s, b)] / max(len(hr_right), 1):.1f} %') for s, b in
        ((True, True), (True, False), (False, True), (False, False))], 'llrr')
    aligned = {r: [align(labels[i], readings[r][i]) for i in range(n)] for r in ROWS}
    chars = sum(len(t) for t in labels)
    ops = {r: Counter(o for a in aligned[r] for _, o, _ in a) for r in ROWS}
    lines += ['', f'**Characters** per 100 label characters ({chars} in all):', '']
    lines += markdown_table(['row', 'correct', 'substituted', 'deleted', 'inserted'], [
        (r, *(f'{100 * ops[r][o] / chars:.1f}' for o in ('correct', 'substituted', 'deleted', 'inserted')))
        for r in ROWS])
    # Per label character: what each row made of it; `fate` only over the words HR reads right.
    fate = Counter()
    per_char = defaultdict(Counter)
    subs_sr, subs_hr = Counter(), Counter()
    for i in range(n):
        lab = {r: [t for t in aligned[r][i] if t[0] is not None] for r in ROWS}
        for (c, bo, _), (_, so, sread), (_, ho, hread) in zip(lab['bicubic'], lab['SR'], lab['HR']):
            per_char[c]['n'] += 1
            per_char[c]['SR'] += so == 'correct'
            per_char[c]['bicubic'] += bo == 'correct'
            per_char[c]['HR'] += ho == 'correct'
            if so == 'substituted':
                subs_sr[(c, sread)] += 1
            if ho == 'substituted':
                subs_hr[(c, hread)] += 1
            if right['HR'][i] and bo != 'correct':
                fate[(bo, so)] += 1
    lost = sum(fate.values())
    lines += ['', f'**What SR makes of the characters bicubic gets wrong** (words HR reads right; {lost} characters):',
              '']
    outcomes = ('correct', 'substituted', 'deleted')
    lines += markdown_table(['bicubic', 'SR correct', 'SR substituted', 'SR deleted'], [
        (b, *(f'{100 * fate[(b, s)] / max(sum(fate[(b, x)] for x in outcomes), 1):.1f} %' for s in outcomes))
        for b in ('deleted', 'substituted')])
    worst = sorted((c for c in per_char if per_char[c]['n'] >= min_count),
                   key=lambda c: (per_char[c]['SR'] - per_char[c]['HR']) / per_char[c]['n'])[:12]
    lines += ['', f'**Letters SR reads worst against HR** (at least {min_count} occurrences; character accuracy %):', '']
    lines += markdown_table(['letter', 'count', 'bicubic', 'SR', 'HR'], [
        (f'`{c}`', per_char[c]['n'], *(f'{100 * per_char[c][r] / per_char[c]["n"]:.1f}' for r in ROWS))
        for c in worst])
    lines += ['', "**SR's most frequent substitutions** (label -> reading; HR's count of the same):", '']
    lines += markdown_table(['substitution', 'SR', 'HR'], [
        (f'`{a}` -> `{b}`', k, subs_hr[(a, b)]) for (a, b), k in subs_sr.most_common(15)])
    return lines


def read_test_set(args, evaluator) -> List[str]:
    """Bicubic / SR / HR readings of the test splits; returns the markdown of :func:`reading_tables`."""
    import torch
    from tqdm import tqdm

    from glyphsr_mm.apis import TextSRInferencer
    from glyphsr_mm.datasets import TextZoomLMDB
    from glyphsr_mm.evaluation.text_match import normalize
    infer = TextSRInferencer(args.config, args.checkpoint, device='cpu')
    labels, readings = [], {r: [] for r in ROWS}
    for split in SPLITS:
        db = TextZoomLMDB(osp.join(args.data, 'test', split))
        idx = list(range(1, min(len(db), args.limit) + 1))
        for start in tqdm(range(0, len(idx), args.batch_size), desc=f'reading test/{split}', unit='batch'):
            chunk = idx[start:start + args.batch_size]
            pairs = [db.read_images(i) for i in chunk]
            out = infer([p['lr'] for p in pairs], batch_size=args.batch_size)
            hr = torch.stack([torch.from_numpy(p['hr']).permute(2, 0, 1) for p in pairs]).float() / 255.
            with torch.no_grad():
                for row, images in zip(ROWS, (out['lr'], out['sr'], hr)):
                    readings[row] += [normalize(t) for t in evaluator.predict(images)]
            labels += [normalize(db.read_label(i)) for i in chunk]
    return reading_tables(labels, readings)


def loss_gradients(args, evaluator) -> List[str]:
    """Alignment of each loss term's generator gradient with the evaluator's CTC gradient (markdown)."""
    import torch
    from mmengine.config import Config
    from mmengine.runner import Runner
    from tqdm import tqdm

    from glyphsr_mm.registry import MODELS
    from glyphsr_mm.utils.checkpoint import read_state_dict
    from glyphsr_mm.utils.markdown import markdown_table
    cfg = Config.fromfile(args.config)
    model = MODELS.build(cfg.model)
    state = {k[len('generator.'):]: v.float() for k, v in read_state_dict(args.checkpoint).items()
             if k.startswith('generator.')}
    if not state:
        raise KeyError(f'{args.checkpoint}: no generator.* tensors')
    model.generator.load_state_dict(state)
    model.train()
    params = [p for p in model.generator.parameters() if p.requires_grad]
    outputs = []
    model.generator.register_forward_hook(lambda m, i, o: outputs.append(o[0] if isinstance(o, tuple) else o))
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=args.seed)
    mean = defaultdict(float)  # name -> the loss's gradient, averaged over the batches
    batches = iter(loader)

    def flat_grad(loss):  # weights a loss does not reach (the GPM class branch when it is skipped) get zeros
        grads = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
        return torch.cat([(torch.zeros_like(p) if g is None else g).flatten() for g, p in zip(grads, params)])

    for _ in tqdm(range(args.grad_batches), desc='loss gradients', unit='batch'):
        data = model.data_preprocessor(next(batches), True)
        outputs.clear()
        losses = model(**data, mode='loss')
        terms = {k: v for k, v in losses.items() if k.startswith('loss') and v.requires_grad}
        terms['total'] = sum(terms.values())
        labels = data['data_samples'].metainfo['gt_text']
        terms['evaluator CTC'] = evaluator.ctc_loss(outputs[-1][:, :3].clamp(0, 1), labels)
        for name, term in terms.items():
            mean[name] = mean[name] + flat_grad(term) / args.grad_batches
    unit = mean.pop('evaluator CTC')
    unit = unit / unit.norm().clamp_min(1e-12)
    rows = [(f'`{k}`', f'{float(g.norm()):.3g}', f'{float(g @ unit) / max(float(g.norm()), 1e-12):+.3f}',
             f'{1e3 * float(g @ unit):+.2f}')
            for k, g in sorted(mean.items(), key=lambda kv: (kv[0] == 'total', -abs(float(kv[1] @ unit))))]
    return [f'{args.grad_batches} training batches of {cfg.train_dataloader.batch_size}; each loss term\'s gradient on '
            f"the generator's {sum(p.numel() for p in params):,} weights, averaged over the batches, against the "
            'averaged gradient of the evaluator\'s CTC loss on the same SR (the readability direction). A positive '
            'component: a step down this term is a step down the evaluator\'s loss; the components add up to the '
            'total\'s.', ''] + markdown_table(
        ['loss term', 'gradient norm', 'cosine with the readability direction', 'component along it (x1e-3)'], rows)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('config', help='the restorer config the checkpoint was trained with')
    p.add_argument('checkpoint', help='runner checkpoint, restart file or published weights (generator.* keys)')
    p.add_argument('--data', required=True, help='a synthetic TextZoom with test/{easy,medium,hard}')
    p.add_argument('--evaluator', default='CRNN', help='a CTC evaluator of synthetic_evaluators.py')
    p.add_argument('--limit', type=int, default=500, help='test images per split (0: skip the reading)')
    p.add_argument('--batch-size', type=int, default=100)
    p.add_argument('--grad-batches', type=int, default=8, help='training batches for the gradients (0: skip)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', help='also write the markdown here')
    args = p.parse_args(argv)
    for path in (args.config, args.checkpoint):
        if not osp.isfile(path):
            raise SystemExit(f'not found: {path}')
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import glyphsr_mm  # noqa: F401  (registers the models)
    from glyphsr_mm.registry import MODELS
    torch.manual_seed(args.seed)
    init_default_scope('mmagic')
    evaluators = Config.fromfile(osp.join(ROOT, 'configs', '_base_', 'evaluation', 'synthetic_evaluators.py'))
    if args.evaluator not in evaluators.table1_recognizers:
        raise SystemExit(f'unknown evaluator {args.evaluator!r}; choose from {list(evaluators.table1_recognizers)}')
    evaluator = MODELS.build(evaluators.table1_recognizers[args.evaluator]).eval()
    for q in evaluator.parameters():
        q.requires_grad_(False)
    lines = [f'# Readability diagnosis: `{args.checkpoint}`', '',
             f'Config `{args.config}`; evaluator {args.evaluator}; test images of `{args.data}`.']
    if args.limit:
        lines += ['', '## Reading', ''] + read_test_set(args, evaluator)
    if args.grad_batches:
        lines += ['', '## Which loss term moves SR towards what the evaluator reads', ''] + loss_gradients(args, evaluator)
    text = '\n'.join(lines) + '\n'
    print(text)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
