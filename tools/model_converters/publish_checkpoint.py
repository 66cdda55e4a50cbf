"""Make a small, shareable weights file from a training checkpoint: the model's state dict only (no optimizer,
no message hub), optionally only the keys under a prefix, optionally in fp16; prints its size and SHA-256.

    python tools/model_converters/publish_checkpoint.py work_dirs/x/best_*.pth checkpoints/model.pth [--fp16]
        [--select recognizer.] [--drop text_focus_loss. hog_loss.]

``--select recognizer.`` keeps a recognizer trained by tools/train_recognizer.py (keys stay prefixed, so the
recognizer's ``checkpoint=`` loads the file as it loads the training checkpoint). ``--drop`` leaves out training-only
parts of a restorer (the text focus loss's recognizer, for example); ``TextSRInferencer`` skips them anyway.

``--restart`` keeps, beside the weights, what MMEngine's resume needs to go on at the same iteration (meta with the
iteration and seed, the message hub's runtime info such as the best score so far, parameter schedulers, and the
optimizer's parameter groups, which hold the learning rate the schedulers reached) but not the optimizer's
per-parameter state nor the logged history of every scalar (MiBs after 10k iterations), so a long run can be
continued on another machine from a small committed file (Adam's moments start afresh). Without the parameter
groups a resumed run would restart from the optimizer's initial learning rate times the warm-up factor, because
MMEngine's schedulers update the learning rate relative to its current value. The file is also a plain weights file
for ``tools/demo.py`` and ``tools/test.py`` (they read its ``state_dict``):
    python tools/train.py CONFIG --work-dir W --cfg-options resume=True load_from=restart.pth
"""
import argparse
import hashlib
import os
import os.path as osp
import sys

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from glyphsr_mm.utils.checkpoint import read_state_dict  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('src', help='training checkpoint (MMEngine runner checkpoint or a state dict)')
    p.add_argument('dst', help='output .pth (a plain state dict)')
    p.add_argument('--fp16', action='store_true', help='store floating-point tensors as fp16 (half the size)')
    p.add_argument('--select', default=None, help='keep only keys starting with this prefix')
    p.add_argument('--drop', nargs='*', default=[], help='leave out keys starting with these prefixes')
    p.add_argument('--restart', action='store_true',
                   help='also keep meta, message hub, parameter schedulers and optimizer param groups (no moments)')
    args = p.parse_args(argv)
    state = read_state_dict(args.src)
    if args.select:
        state = {k: v for k, v in state.items() if k.startswith(args.select)}
    state = {k: v for k, v in state.items() if not k.startswith(tuple(args.drop))}
    if not state:
        raise SystemExit(f'{args.src}: no keys left (select={args.select!r}, drop={args.drop})')
    if args.fp16:
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    if args.restart:
        ckpt = torch.load(args.src, map_location='cpu', weights_only=False)
        missing = [k for k in ('meta', 'message_hub', 'optimizer') if k not in ckpt]
        if missing:
            raise SystemExit(f'{args.src}: not a runner checkpoint with {", ".join(missing)} (--restart needs one)')
        state = dict(state_dict=state, **{k: ckpt[k] for k in ('meta', 'param_schedulers') if k in ckpt})
        state['message_hub'] = dict(ckpt['message_hub'], log_scalars={})
        state['optimizer'] = dict(ckpt['optimizer'], state={})  # param groups (learning rate), no moments
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(state, args.dst)
    digest = hashlib.sha256(open(args.dst, 'rb').read()).hexdigest()
    tensors = len(state['state_dict']) if args.restart else len(state)
    print(f'{args.dst}: {tensors} tensors, {osp.getsize(args.dst) / 2 ** 20:.2f} MiB, sha256 {digest}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
