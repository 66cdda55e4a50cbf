"""Super-resolve word images of any size with a trained restorer (no HR needed): ``tools/demo.py``'s engine.

Importing this module is cheap; building a :class:`TextSRInferencer` imports MMagic's models (seconds).
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff')
#: Training-only parts of a restorer config: not built for inference, their checkpoint weights skipped.
TRAINING_ONLY = ('text_focus_loss', 'hog_loss', 'glyph_loss', 'tp_loss', 'recognition_loss')
#: Test-pipeline steps that make training targets (glyph pseudo labels), not model inputs: left out.
TARGET_STEPS = ('GlyphExtraction', 'LoadTextZoomGlyphMasks')


def list_images(inputs: Sequence[str]) -> List[str]:
    """Image files named in ``inputs``: files as given, folders searched recursively (sorted)."""
    files = []
    for item in inputs:
        if osp.isdir(item):
            found = sorted(osp.join(d, f) for d, _, names in os.walk(item) for f in names
                           if f.lower().endswith(IMAGE_EXTENSIONS))
            if not found:
                raise FileNotFoundError(f'no images ({", ".join(IMAGE_EXTENSIONS)}) under {item}')
            files += found
        elif osp.isfile(item):
            files.append(item)
        else:
            raise FileNotFoundError(f'input not found: {item}')
    return files


def read_images(paths: Sequence[str]) -> List[np.ndarray]:
    """RGB uint8 H x W x 3 arrays; an unreadable file raises an error naming it."""
    from PIL import Image
    out = []
    for p in paths:
        try:
            with Image.open(p) as im:
                out.append(np.asarray(im.convert('RGB')))
        except Exception as e:  # PIL raises several types for bad files
            raise ValueError(f'cannot read image {p}: {e}') from e
    return out


class TextSRInferencer:
    """A restorer built from its config and checkpoint, applied to word crops.

    As MMagic's inferencers do, each image goes through the config's own test pipeline
    (``test_dataloader.dataset.pipeline``: ``LoadTextZoomImages`` resizes it to the LR size with PIL bicubic,
    ``AddTextMaskChannel`` adds the mask channel where the config has it, ``PackInputs`` packs it) and the model's
    data preprocessor, then through the text prior and the generator in batches. Steps that make training
    targets (:data:`TARGET_STEPS`) are left out.

    Only what inference needs is built: the losses (and their recognizers) are left out, and the text prior's
    recognizer takes its weights from the restorer checkpoint when that holds them (a runner checkpoint), else,
    for a frozen prior, from its own file (published weight files leave it out: ``publish_checkpoint.py --drop
    text_prior.``). The checkpoint must hold every other tensor: a missing one is an error that lists it.

    Args:
        config: Config file (or a loaded ``Config``) whose ``model`` is the restorer.
        checkpoint: Restorer checkpoint (runner checkpoint or bare state dict; ``module.`` prefixes accepted),
            loaded strictly.
        device: ``'auto'`` (CUDA when available), ``'cpu'``, ``'cuda'``, ``'cuda:1'``...
    """

    def __init__(self, config, checkpoint: str, device: str = 'auto') -> None:
        from mmengine.config import Config
        from mmengine.dataset import Compose
        from mmengine.registry import init_default_scope
        from mmengine.utils import import_modules_from_strings
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
        cfg = Config.fromfile(config) if isinstance(config, str) else config
        if cfg.get('custom_imports'):
            import_modules_from_strings(**cfg.custom_imports)
        init_default_scope(cfg.get('default_scope', 'mmagic'))
        from glyphsr_mm.registry import MODELS
        self.device = torch.device('cuda' if device == 'auto' and torch.cuda.is_available() else
                                   'cpu' if device == 'auto' else device)
        from glyphsr_mm.utils.checkpoint import load_state_dict_strict, read_state_dict
        model_cfg = cfg.model.copy()
        for key in TRAINING_ONLY:
            model_cfg.pop(key, None)
        skip = tuple(p + '.' for p in TRAINING_ONLY)
        state = {k: v for k, v in read_state_dict(checkpoint).items() if not k.startswith(skip)}
        prior = model_cfg.get('text_prior') or {}
        has_prior = any(k.startswith('text_prior.') for k in state)
        if prior.get('recognizer'):
            if has_prior:
                model_cfg['text_prior'] = dict(prior, recognizer=dict(prior['recognizer'], checkpoint=None,
                                                                      allow_random=False))
            elif prior.get('finetune'):
                raise KeyError(f'{checkpoint} holds no text_prior.* tensors, but the config fine-tunes the text '
                               "prior's recognizer: its trained weights are only in the full training checkpoint")
            else:  # a frozen prior: published weight files leave out the recognizer, which has its own weights
                print(f'{checkpoint}: no text_prior.* tensors; the frozen text prior recognizer '
                      f"({prior['recognizer'].get('type')}) loads its own weights")
        self.model = MODELS.build(model_cfg)
        if not has_prior and self.model.text_prior is not None:  # its own weights count as the checkpoint's
            state.update({f'text_prior.{k}': v for k, v in self.model.text_prior.state_dict().items()})
        load_state_dict_strict(self.model, state, what=f'{type(self.model).__name__} checkpoint {checkpoint}')
        self.model.to(self.device).eval()
        steps = (cfg.get('test_dataloader') or {}).get('dataset', {}).get('pipeline')
        if not steps:
            raise KeyError(f'{getattr(cfg, "filename", "config")}: no test_dataloader.dataset.pipeline to compose')
        self.pipeline = Compose([t for t in steps if t.get('type') not in TARGET_STEPS])
        self.add_mask = any(t.get('type') == 'AddTextMaskChannel' for t in steps)

    def preprocess(self, images: Sequence[np.ndarray]) -> torch.Tensor:
        """RGB uint8 images of any size -> B x C x H x W model inputs (C = 4 with the mask channel), through the
        config's test pipeline and the model's data preprocessor."""
        packed = [self.pipeline(dict(img=np.ascontiguousarray(img), gt_text='')) for img in images]
        data = self.model.data_preprocessor(dict(inputs=[p['inputs'] for p in packed],
                                                 data_samples=[p['data_samples'] for p in packed]), False)
        return data['inputs']

    @torch.no_grad()
    def __call__(self, images: Sequence[np.ndarray], batch_size: int = 64) -> Dict[str, Optional[torch.Tensor]]:
        """Returns ``lr`` (B x 3 x h x w), ``sr`` (B x 3 x H x W), both RGB in [0, 1] on the CPU, and the GPM's
        ``line_map``/``char_maps`` (None for models without GPM)."""
        out: Dict[str, list] = dict(lr=[], sr=[], line_map=[], char_maps=[])
        for i in range(0, len(images), batch_size):
            lr = self.preprocess(images[i:i + batch_size]).to(self.device)
            sr, (line_map, char_maps, _) = self.model.forward_tensor(lr)
            out['lr'].append(lr[:, :3].cpu())
            out['sr'].append(sr[:, :3].clamp(0, 1).cpu())
            out['line_map'].append(None if line_map is None else line_map.cpu())
            out['char_maps'].append(None if char_maps is None else char_maps.cpu())
        return {k: (None if any(x is None for x in v) else torch.cat(v)) for k, v in out.items()}
