"""Convert the authors' released GlyphSR checkpoint into a glyphsr_mm (MMEngine) checkpoint.

    python tools/model_converters/official_to_glyphsr_mm.py model_best_acc_0.pth OUT.pth \
        [--recognizer recognizer_best_acc_0.pth] [--config configs/glyphsr_textzoom.py]

The release stores ``{'state_dict_G': <SR network state dict>, ...}`` (keys with or without ``module.``); its
module names are GlyphSRNet's own, so the conversion prefixes them with ``generator.`` after checking that they
fit the generator of ``--config`` exactly (missing, unexpected or mis-shaped keys are listed and nothing is
written). ``--recognizer`` adds the fine-tuned PARSeq text-prior recognizer under ``text_prior.recognizer.``.
The output loads with ``tools/test.py CONFIG OUT.pth`` or ``GlyphSRNet.load_state_dict``.
"""
import argparse
import os
import os.path as osp
import sys
from typing import Dict, Optional

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from glyphsr_mm.utils.checkpoint import CheckpointMismatchError, load_state_dict_strict, read_state_dict  # noqa: E402

DEFAULT_CONFIG = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs',
                          'glyphsr_textzoom.py')


def build_generator(config: str):
    """The ``GlyphSRNet`` described by ``config``'s ``model.generator`` (no weights, no recognizers loaded)."""
    from mmengine.config import Config
    from glyphsr_mm.models.editors.glyphsr import GlyphSRNet
    cfg = Config.fromfile(config, import_custom_modules=False).model.generator.to_dict()
    if cfg.pop('type') != 'GlyphSRNet':
        raise SystemExit(f'{config}: model.generator is not a GlyphSRNet')
    return GlyphSRNet(**cfg)


def convert(official: str, config: str = DEFAULT_CONFIG, recognizer: Optional[str] = None) -> Dict:
    """Return the converted MMEngine checkpoint dict; raises CheckpointMismatchError listing bad keys."""
    generator = build_generator(config).eval()
    state = read_state_dict(official, nested_keys=('state_dict_G', 'state_dict'))
    load_state_dict_strict(generator, state, what=f'GlyphSRNet of {osp.basename(config)} from {official}')
    out = {f'generator.{k}': v for k, v in generator.state_dict().items()}
    if recognizer is not None:
        from glyphsr_mm.models.recognizers import PARSeqRecognizer
        rec = PARSeqRecognizer(checkpoint=recognizer)
        out.update({f'text_prior.recognizer.{k}': v for k, v in rec.state_dict().items()})
    return {'state_dict': out, 'meta': {'converted_from': osp.basename(official), 'config': osp.basename(config)}}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('official', help="the release's model_best_acc_0.pth")
    p.add_argument('out', help='output checkpoint')
    p.add_argument('--recognizer', help="the release's recognizer_best_acc_0.pth (fine-tuned PARSeq)")
    p.add_argument('--config', default=DEFAULT_CONFIG, help='config whose model.generator the weights must fit')
    args = p.parse_args()
    try:
        ckpt = convert(args.official, args.config, args.recognizer)
    except (CheckpointMismatchError, FileNotFoundError) as e:
        raise SystemExit(f'conversion failed: {e}')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(ckpt, args.out)
    print(f'wrote {args.out}: {len(ckpt["state_dict"])} tensors')


if __name__ == '__main__':
    main()
