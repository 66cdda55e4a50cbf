"""Any MMOCR text recognizer (CRNN, ASTER, ...) built from its config, behind the common interface.

MMOCR's own configs ship inside the mmocr package; name them ``'mmocr::textrecog/crnn/crnn_mini-vgg_5e_mj.py'``
or give a path. The model is built with ``_scope_='mmocr'`` so that it works inside MMagic's default scope.
Preprocessing is read from the config: gray or colour from ``LoadImageFromFile``, size from the test pipeline's
``Resize`` (``RescaleToHeight`` keeps the aspect ratio, so it is fixed at the given height and the 1:4 aspect of
TextZoom's HR images), mean/std from ``TextRecogDataPreprocessor`` (on 0-255 values).
"""
import os.path as osp
from typing import Optional, Sequence, Tuple

import torch

from glyphsr_mm.registry import MODELS
from glyphsr_mm.utils.checkpoint import load_state_dict_strict
from .base import Charset, Preprocess, TextRecognizer


def resolve_mmocr_config(config: str) -> str:
    """Path of an MMOCR config given as ``mmocr::relative/path.py`` or as a file path."""
    if config.startswith('mmocr::'):
        import mmocr
        path = osp.join(osp.dirname(mmocr.__file__), '.mim', 'configs', config[len('mmocr::'):])
    else:
        path = config
    if not osp.isfile(path):
        raise FileNotFoundError(f'MMOCR config not found: {config} (looked at {path})')
    return path


def _preprocess_from_config(cfg, size: Optional[Tuple[int, int]]) -> Preprocess:
    pipeline = cfg.get('test_pipeline', [])
    gray = any(t.get('type') == 'LoadImageFromFile' and t.get('color_type') == 'grayscale' for t in pipeline)
    if size is None:
        for t in pipeline:
            if t.get('type') == 'Resize' and t.get('scale'):
                size = (t['scale'][1], t['scale'][0])
            elif t.get('type') == 'RescaleToHeight':
                size = (t['height'], 4 * t['height'])
    dp = cfg.model.get('data_preprocessor', {})
    mean = tuple(m / 255.0 for m in dp.get('mean', [0.0]))
    std = tuple(s / 255.0 for s in dp.get('std', [255.0]))
    if dp.get('bgr_to_rgb'):
        raise NotImplementedError('MMOCR configs with bgr_to_rgb are not supported')
    if not gray and len(mean) == 3:
        mean, std = mean[::-1], std[::-1]  # MMOCR models see BGR images (cv2 loading)
    return Preprocess(size=size, gray=gray, mean=mean, std=std, mode='bilinear')


@MODELS.register_module()
class MMOCRRecognizer(TextRecognizer):
    """Wrap an MMOCR ``EncoderDecoderRecognizer``.

    Args:
        config: ``mmocr::textrecog/...py`` or a config path; its ``model`` is built.
        checkpoint: An MMOCR checkpoint of that model (``state_dict`` inside), loaded strictly.
        input_size: (H, W) override of the input size read from the config.
        allow_random: See :class:`TextRecognizer`.
    """

    def __init__(self, config: str, checkpoint: Optional[str] = None, input_size: Optional[Sequence[int]] = None,
                 allow_random: bool = False) -> None:
        super().__init__(checkpoint, allow_random)
        from mmengine.config import Config
        from mmocr.registry import MODELS as MMOCR_MODELS
        from mmocr.utils import register_all_modules
        register_all_modules(init_default_scope=False)
        cfg = Config.fromfile(resolve_mmocr_config(config))
        model_cfg = cfg.model.copy()
        model_cfg['_scope_'] = 'mmocr'
        self.model = MMOCR_MODELS.build(model_cfg)
        self.preprocess = _preprocess_from_config(cfg, tuple(input_size) if input_size else None)
        d = self.model.decoder.dictionary
        ctc = 'CTC' in type(self.model.decoder.postprocessor).__name__
        specials = [i for i in (d.start_idx, d.end_idx, d.padding_idx, d.unknown_idx) if i is not None]
        n_chars = min(specials) if specials else d.num_classes  # MMOCR puts special tokens after the characters
        self.charset = Charset(''.join(d.dict[:n_chars]), num_classes=d.num_classes, offset=0, ctc=ctc,
                               blank=d.padding_idx, eos=None if ctc else d.end_idx)
        self.init_weights_from(checkpoint)

    def load_checkpoint(self, source) -> None:
        load_state_dict_strict(self.model, source, what=f'MMOCR {type(self.model).__name__}')
        self._has_weights = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Preprocessed images -> log-probabilities B x T x D (MMOCR decoders return probabilities)."""
        if not self.preprocess.gray:  # MMOCR models see BGR (cv2 loading)
            x = x.flip(1)
        feat = self.model.extract_feat(x)
        out_enc = self.model.encoder(feat, None) if self.model.with_encoder else None
        probs = self.model.decoder.forward_test(feat, out_enc, None)
        return probs.clamp_min(1e-12).log()
