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
        aux_ctc_weight: Attention recognizers: weight of an auxiliary CTC loss from a linear head on the encoder's
            features (joint CTC-attention training). It makes the features position-specific early, so the
            decoder's attention finds the characters sooner instead of sitting at a language-model plateau; the
            head belongs to this wrapper, not to the recognizer, whose layout is unchanged. 0 disables.
        aux_ctc_features: Name of the recognizer's submodule whose output feeds that head: a sequence B x T x C
            or T x B x C (``'encoder'`` of ASTER, ``'ASRN.rnn'`` of MORAN). None: TBSRN's transformer, whose
            ``encoder`` map is averaged over the height.
    """

    def __init__(self, recognizer: Union[dict, torch.nn.Module], aux_ctc_weight: float = 0.0,
                 aux_ctc_features: Optional[str] = None, data_preprocessor: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor)
        self.recognizer = MODELS.build(recognizer) if isinstance(recognizer, dict) else recognizer
        self.aux_ctc_weight, self.aux_ctc_features = aux_ctc_weight, aux_ctc_features
        self._features = None
        rec = self.recognizer
        if aux_ctc_weight:
            if rec.charset.ctc:
                raise ValueError('aux_ctc_weight is for attention recognizers; this one is trained with CTC already')
            if aux_ctc_features is None:
                if not hasattr(rec, 'encoder') or not hasattr(rec, 'd_model'):
                    raise ValueError('aux_ctc_weight without aux_ctc_features needs the TBSRN transformer; name the '
                                     "submodule that gives the sequence features, e.g. aux_ctc_features='encoder'")
                channels = rec.d_model
            else:
                modules = dict(rec.named_modules())
                if aux_ctc_features not in modules:
                    raise ValueError(f'{type(rec).__name__} has no submodule {aux_ctc_features!r}')
                modules[aux_ctc_features].register_forward_hook(self._keep_features)
                with torch.no_grad():  # one forward on two blank images tells the feature size and layout
                    rec.eval()(rec.preprocess(torch.zeros(2, 3, *rec.preprocess.size or (32, 128))))
                channels = self._features.shape[-1]
                self._aux_seq_first = self._features.shape[0] != 2
                self._features = None
            self.aux_ctc_head = torch.nn.Linear(channels, rec.charset.num_classes)

    def _keep_features(self, module, args, output) -> None:
        out = output[0] if isinstance(output, tuple) else output
        self._features = out

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
        if self.aux_ctc_weight and self.aux_ctc_features is None:
            features = rec.encoder(rec.preprocess(images))
            logits, _ = rec.decode_step(features, tokens)
        else:
            logits, _ = rec.teacher_forced(images, labels, tokens=tokens)
        losses = {'loss_ce': F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))}
        if self.aux_ctc_weight:
            if self.aux_ctc_features is None:  # TBSRN: B x C x H x W map -> B x W x C
                seq = features.mean(2).transpose(1, 2)
            else:  # the hooked module's sequence, batch first
                seq = self._features.transpose(0, 1) if self._aux_seq_first else self._features
                self._features = None
            # the end class doubles as the CTC blank (it is never a target character)
            eos = rec.charset.eos
            log_probs = self.aux_ctc_head(seq).log_softmax(-1).transpose(0, 1)
            seqs = [t[(t >= 0) & (t != eos)] for t in targets]
            lengths = torch.tensor([len(t) for t in seqs])
            in_len = torch.full((len(seqs), ), log_probs.shape[0], dtype=torch.long)
            losses['loss_aux_ctc'] = self.aux_ctc_weight * F.ctc_loss(
                log_probs, torch.cat(seqs).cpu(), in_len, lengths, blank=eos, zero_infinity=True)
        return losses
