"""Train a recognizer of this package with MMEngine's runner (``tools/train_recognizer.py``).

TBSRN never released the training code of its transformer recognizer; this wraps any recognizer of the common
interface in an MMEngine ``BaseModel``: CTC recognizers (CRNN) learn with the CTC loss, attention recognizers
(TBSRN transformer, ASTER, MORAN) with teacher-forced cross-entropy through their ``encode_labels`` and
``teacher_forced``. Inputs are packed uint8 images (``PackInputs``) and the
labels come from ``gt_text``.
"""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel

from glyphsr_mm.registry import MODELS


def _labels(data_samples: Sequence) -> List[str]:
    return [ds.metainfo['gt_text'] if 'gt_text' in ds.metainfo else ds.gt_text for ds in data_samples]


def stack_images(inputs: Union[torch.Tensor, Sequence[torch.Tensor]], device) -> torch.Tensor:
    """Packed images (uint8 C x H x W each, or a batch) -> float B x C x H x W in [0, 1] on ``device``."""
    x = inputs if isinstance(inputs, torch.Tensor) else torch.stack(list(inputs))
    x = x.to(device)
    return x.float() / 255.0 if x.dtype == torch.uint8 else x.float()


@MODELS.register_module()
class RecognizerTrainingModel(BaseModel):
    """MMEngine model around ``recognizer`` (a config or module of :mod:`glyphsr_mm.models.recognizers`).

    The saved checkpoint's ``state_dict`` has keys ``recognizer.<reference name>``; recognizers load it directly
    (``checkpoint=work_dir/best_*.pth``; other keys, such as the auxiliary head, are left out).

    Args:
        recognizer: The recognizer (config or module).
        aux_ctc_weight: Attention recognizers with an ``encoder`` (TBSRN transformer): weight of an auxiliary CTC
            loss from a linear head on the height-averaged encoder features (joint CTC-attention training). It
            makes the features position-specific early, so the decoder's cross-attention finds the characters
            sooner; the head belongs to this wrapper, not to the recognizer, whose layout is unchanged. 0 disables.
    """

    def __init__(self, recognizer: Union[dict, torch.nn.Module], aux_ctc_weight: float = 0.0,
                 data_preprocessor: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor)
        self.recognizer = MODELS.build(recognizer) if isinstance(recognizer, dict) else recognizer
        self.aux_ctc_weight = aux_ctc_weight
        if aux_ctc_weight:
            if self.recognizer.charset.ctc or not hasattr(self.recognizer, 'encoder'):
                raise ValueError('aux_ctc_weight needs an attention recognizer with an encoder (TBSRN transformer)')
            self.aux_ctc_head = torch.nn.Linear(self.recognizer.d_model, self.recognizer.charset.num_classes)

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        images = stack_images(inputs, next(self.parameters()).device)
        if mode == 'loss':
            return self.loss(images, _labels(data_samples))
        if mode == 'predict':
            self.recognizer.mark_trained()
            preds = self.recognizer.predict(images)
            for ds, p in zip(data_samples, preds):
                ds.set_field(p, 'pred_text', field_type='metainfo')
                if 'gt_text' not in ds.metainfo:
                    ds.set_field(ds.gt_text, 'gt_text', field_type='metainfo')
            return [dict(pred_text=p, gt_text=g) for p, g in zip(preds, _labels(data_samples))]
        return self.recognizer.logits(images)

    def loss(self, images: torch.Tensor, labels: List[str]) -> Dict[str, torch.Tensor]:
        rec = self.recognizer
        rec.mark_trained()
        if rec.charset.ctc:
            loss = rec.ctc_loss(images, labels)
            return {'loss_ctc': loss}
        tokens, targets = rec.encode_labels(labels, images.device)
        if self.aux_ctc_weight:
            features = rec.encoder(rec.preprocess(images))
            logits, _ = rec.decode_step(features, tokens)
        else:
            logits, _ = rec.teacher_forced(images, labels, tokens=tokens)
        losses = {'loss_ce': F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))}
        if self.aux_ctc_weight:
            # class 0 (the end token) doubles as the CTC blank; characters are 1..36 in both
            log_probs = self.aux_ctc_head(features.mean(2).transpose(1, 2)).log_softmax(-1).transpose(0, 1)
            seqs = [t[t > 0] for t in targets]
            lengths = torch.tensor([len(t) for t in seqs])
            in_len = torch.full((len(seqs), ), log_probs.shape[0], dtype=torch.long)
            losses['loss_aux_ctc'] = self.aux_ctc_weight * F.ctc_loss(
                log_probs, torch.cat(seqs).cpu(), in_len, lengths, blank=0, zero_infinity=True)
        return losses
