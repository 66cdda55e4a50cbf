"""Any MMOCR text recognizer (CRNN, ASTER, ...) built from its config, behind the common interface.

MMOCR's own configs ship inside the mmocr package; name them ``'mmocr::textrecog/crnn/crnn_mini-vgg_5e_mj.py'``
or give a path.

``predict`` (evaluation) runs MMOCR's own inference path, the one its ``TextRecInferencer`` runs: the config's test
pipeline (image loading from arrays, resizing), the model's ``TextRecogDataPreprocessor``, ``predict`` and the
decoder's postprocessor; images reach it as uint8 BGR arrays, as ``cv2.imread`` would give them. ``probs``/
``logits`` (the differentiable text prior) are computed on tensors with a reading of the same config: gray or
colour from ``LoadImageFromFile``, size from the test pipeline's ``Resize`` (``RescaleToHeight`` keeps the aspect
ratio, so it is fixed at the given height and the 1:4 aspect of TextZoom's HR images), mean/std from
``TextRecogDataPreprocessor`` (on 0-255 values).
"""
import os.path as osp
from typing import List, Optional, Sequence, Tuple

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
        from mmengine.registry import DefaultScope, init_default_scope
        from mmocr.apis import TextRecInferencer
        from mmocr.utils import register_all_modules
        register_all_modules(init_default_scope=False)
        path = resolve_mmocr_config(config)
        cfg = Config.fromfile(path)
        scope = DefaultScope.get_current_instance()
        # MMOCR's inferencer builds the model and its inference pipeline (it switches the default scope to
        # 'mmocr', which is given back to the caller's scope, e.g. MMagic's runner, right after).
        inferencer = TextRecInferencer(model=path, weights=None, device='cpu')
        if scope is not None:
            init_default_scope(scope.scope_name)
        self.model = inferencer.model
        self._pipeline, self._collate = inferencer.pipeline, inferencer.collate_fn
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

    @torch.no_grad()
    def predict(self, images: torch.Tensor) -> List[str]:
        """Images in [0, 1] -> strings through MMOCR's test pipeline, data preprocessor, model and postprocessor."""
        self.check_weights()
        x = images[:, :3] if images.shape[1] == 4 else images
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        arrays = (x.detach().float().clamp(0, 1) * 255).round().to(torch.uint8).flip(1)  # RGB -> BGR, as cv2 reads
        batch = self._collate([self._pipeline(a.permute(1, 2, 0).cpu().numpy()) for a in arrays])
        was_training = self.model.training
        self.model.eval()
        try:
            samples = self.model.test_step(batch)
        finally:
            self.model.train(was_training)
        return [s.pred_text.item for s in samples]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Preprocessed images -> log-probabilities B x T x D (MMOCR decoders return probabilities)."""
        if not self.preprocess.gray:  # MMOCR models see BGR (cv2 loading)
            x = x.flip(1)
        feat = self.model.extract_feat(x)
        out_enc = self.model.encoder(feat, None) if self.model.with_encoder else None
        probs = self.model.decoder.forward_test(feat, out_enc, None)
        return probs.clamp_min(1e-12).log()
