"""Super-resolve word images of any size with a trained restorer (no HR needed): ``tools/demo.py``'s engine.

Importing this module is cheap; building a :class:`TextSRInferencer` imports MMagic's models (seconds).
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from glyphsr_mm.transforms.loading import LoadTextZoomImages
from glyphsr_mm.transforms.text_mask import text_mask

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff')
#: Training-only parts of a restorer config: not built for inference, their checkpoint weights skipped.
TRAINING_ONLY = ('text_focus_loss', 'hog_loss', 'glyph_loss', 'tp_loss')


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

    Each image is resized to the LR size with PIL bicubic (as TextZoom's loaders), gets the mask channel when
    the config's test pipeline adds one, and goes through the text prior and the generator in batches.

    Only what inference needs is built: the losses (and their recognizers) are left out, and the text prior's
    recognizer takes its weights from the restorer checkpoint (which holds them) rather than from its own file.
    The checkpoint must then hold every remaining tensor: a missing one is an error that lists it.

    Args:
        config: Config file (or a loaded ``Config``) whose ``model`` is the restorer.
        checkpoint: Restorer checkpoint (runner checkpoint or bare state dict; ``module.`` prefixes accepted),
            loaded strictly.
        device: ``'auto'`` (CUDA when available), ``'cpu'``, ``'cuda'``, ``'cuda:1'``...
        lr_size: (H, W) of the model's input.
    """

    def __init__(self, config, checkpoint: str, device: str = 'auto', lr_size: Sequence[int] = (16, 64)) -> None:
        from mmengine.config import Config
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
        if (model_cfg.get('text_prior') or {}).get('recognizer'):
            model_cfg['text_prior'] = dict(model_cfg['text_prior'], recognizer=dict(
                model_cfg['text_prior']['recognizer'], checkpoint=None, allow_random=False))
        self.model = MODELS.build(model_cfg)
        skip = tuple(p + '.' for p in TRAINING_ONLY)
        state = {k: v for k, v in read_state_dict(checkpoint).items() if not k.startswith(skip)}
        load_state_dict_strict(self.model, state, what=f'{type(self.model).__name__} checkpoint {checkpoint}')
        self.model.to(self.device).eval()
        pipeline = (cfg.get('test_dataloader') or {}).get('dataset', {}).get('pipeline', [])
        self.add_mask = any(t.get('type') == 'AddTextMaskChannel' for t in pipeline)
        self.lr_size = tuple(lr_size)

    def preprocess(self, images: Sequence[np.ndarray]) -> torch.Tensor:
        """RGB uint8 images of any size -> B x C x H x W in [0, 1] (C = 4 with the mask channel)."""
        batch = []
        for img in images:
            lr = LoadTextZoomImages.resize(img, self.lr_size)
            if self.add_mask:
                lr = np.concatenate([lr, text_mask(lr) * 255], axis=2)
            batch.append(torch.from_numpy(np.ascontiguousarray(lr)).permute(2, 0, 1).float() / 255.)
        return torch.stack(batch)

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
