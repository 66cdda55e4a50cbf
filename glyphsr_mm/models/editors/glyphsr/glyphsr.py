"""The GlyphSR restorer: MMagic ``BaseEditModel`` around a generator, a text-prior generator and GlyphSR's losses.

Importing this module imports ``mmagic.models`` (seconds), so ``import glyphsr_mm`` does not: the MODELS registry
imports it on its first lookup (``glyphsr_mm.registry``).
"""
from typing import Dict, List, Optional

import torch
from mmagic.models.base_models import BaseEditModel
from mmagic.structures import DataSample

from glyphsr_mm.registry import MODELS


def _labels(data_samples: DataSample) -> List[str]:
    labels = data_samples.metainfo.get('gt_text')
    if labels is None:
        raise KeyError('data samples carry no gt_text: add it to PackInputs(meta_keys=[...])')
    return [labels] if isinstance(labels, str) else list(labels)


@MODELS.register_module()
class GlyphSR(BaseEditModel):
    """GlyphSR (and its ablations) for MMagic's runner.

    Inputs are LR images B x C x 16 x 64 in [0, 1] (C = 4 with the mask channel); ``data_samples.gt_img`` holds HR.
    Losses are optional modules, each returning named terms: ``pixel_loss`` (required by ``BaseEditModel``),
    ``text_focus_loss``, ``hog_loss``, ``glyph_loss`` (needs the generator's glyph outputs and the pseudo masks
    ``gt_char_masks``/``gt_line_mask`` from the data samples), ``tp_loss`` (with a fine-tuned text prior),
    ``recognition_loss`` (a frozen CTC recognizer reading SR; not in the paper).
    Predictions (``pred_img``) and ``gt_img`` are the RGB channels, 0-255 scale like other MMagic restorers, so
    that metrics never see the mask channel; the glyph maps go to ``pred_line_map``/``pred_char_maps``.

    Args:
        generator: ``GlyphSRNet``, ``GlyphAwareGenerator``, or any MMagic generator ``forward(lr) -> sr`` (then
            without text prior and glyph outputs, e.g. a plain EDSRNet baseline). A generator that takes a text
            prior says so with the attributes ``takes_text_prior`` (then ``forward(lr, prior)``) and
            ``prior_classes`` (D of the B x D x 1 x T prior it expects).
        pixel_loss: e.g. ``dict(type='PixelMSELoss', loss_weight=1.0)``.
        text_prior: ``TextPriorGenerator`` config, or None for a generator without text prior.
        text_focus_loss / hog_loss / glyph_loss / tp_loss / recognition_loss: Loss configs or None.
        channels_last: Keep the generator's convolution weights in channels-last memory format (the values are the
            same): with bf16 autocast (``AutocastOptimWrapper``) on a CPU with AMX, oneDNN's convolutions run faster
            in that layout (docs/benchmarks.md, ``train_recipe``).
    """

    def __init__(self, generator: dict, pixel_loss: dict, text_prior: Optional[dict] = None,
                 text_focus_loss: Optional[dict] = None, hog_loss: Optional[dict] = None,
                 glyph_loss: Optional[dict] = None, tp_loss: Optional[dict] = None,
                 recognition_loss: Optional[dict] = None, channels_last: bool = False,
                 train_cfg: Optional[dict] = None, test_cfg: Optional[dict] = None, init_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None) -> None:
        super().__init__(generator, pixel_loss, train_cfg, test_cfg, init_cfg, data_preprocessor)
        build = lambda cfg: MODELS.build(cfg) if cfg is not None else None  # noqa: E731
        self.text_prior = build(text_prior)
        self.text_focus_loss, self.hog_loss = build(text_focus_loss), build(hog_loss)
        self.glyph_loss, self.tp_loss = build(glyph_loss), build(tp_loss)
        self.recognition_loss = build(recognition_loss)
        if self.tp_loss is not None and (self.text_prior is None or not self.text_prior.finetune):
            raise ValueError('tp_loss needs a text_prior with finetune=True (the prior of a frozen recognizer '
                             'cannot learn)')
        if self.text_prior is not None and not self._takes_prior:
            raise ValueError(f'{type(self.generator).__name__} takes no text prior: set text_prior=None (a generator '
                             'that takes one sets takes_text_prior; GlyphSRNet: prior_classes > 0)')
        if self.text_prior is not None and self.text_prior.num_classes != self.generator.prior_classes:
            raise ValueError(f'text prior has {self.text_prior.num_classes} classes but the generator expects '
                             f'prior_classes={self.generator.prior_classes}: set generator.prior_classes')
        if channels_last:
            self.generator.to(memory_format=torch.channels_last)

    @property
    def _takes_prior(self) -> bool:
        return bool(getattr(self.generator, 'takes_text_prior', False))

    def generate(self, lr: torch.Tensor, prior: Optional[torch.Tensor] = None, with_char_logits: bool = True):
        """Run the generator: (sr, (line_map, char_maps, char_logits)); glyph outputs None where it has none.
        ``with_char_logits=False`` asks a generator with glyph modules to skip the GPM class branch."""
        kwargs = {} if with_char_logits else dict(with_char_logits=False)
        out = self.generator(lr, prior, **kwargs) if self._takes_prior else self.generator(lr, **kwargs)
        return out if isinstance(out, tuple) else (out, (None, None, None))

    def forward_tensor(self, inputs: torch.Tensor, data_samples=None, **kwargs):
        """LR -> (sr, (line_map, char_maps, char_logits)) in the generator's value range."""
        prior = self.text_prior(inputs) if self.text_prior is not None else None
        return self.generate(inputs, prior)

    def forward_inference(self, inputs: torch.Tensor, data_samples=None, **kwargs) -> DataSample:
        sr, (line_map, char_maps, _) = self.forward_tensor(inputs, data_samples)
        # De-normalised to 0-255 in the channel order MMagic's eval-mode preprocessing gave gt_img; RGB(-like) only.
        pred = DataSample(pred_img=self.data_preprocessor.destruct(sr.clamp(0, 1), data_samples)[:, :3].cpu())
        if line_map is not None:
            pred.set_tensor_data(dict(pred_line_map=line_map.cpu(), pred_char_maps=char_maps.cpu()))
        return pred

    def convert_to_datasample(self, predictions: DataSample, data_samples: DataSample,
                              inputs: Optional[torch.Tensor]) -> List[DataSample]:
        if inputs is not None:
            data_samples.set_tensor_data(
                {'input': self.data_preprocessor.destruct(inputs, data_samples, 'img')[:, :3].cpu()})
        if 'gt_img' in data_samples:  # eval mode: 0-255, not normalised; metrics must not see the mask channel
            data_samples.set_tensor_data({'gt_img': data_samples.gt_img[:, :3].float().cpu()})
        samples = data_samples.split()
        for sample, pred in zip(samples, predictions.split()):
            sample.output = pred
        return samples

    def forward_train(self, inputs: torch.Tensor, data_samples=None, **kwargs) -> Dict[str, torch.Tensor]:
        hr = data_samples.gt_img
        prior = self.text_prior(inputs) if self.text_prior is not None else None
        # A glyph loss without its class term does not read the GPM's class branch: skip it (the maps, SR and every
        # loss are the same; its BN statistics are then not updated, which only the unused logits would see).
        skip_logits = self.glyph_loss is not None and not self.glyph_loss.uses_char_logits
        sr, (line_map, char_maps, char_logits) = self.generate(inputs, prior, with_char_logits=not skip_logits)
        losses = dict(self.pixel_loss(sr, hr))
        needs_labels = self.text_focus_loss or self.glyph_loss or self.recognition_loss
        labels = _labels(data_samples) if needs_labels else None
        if self.text_focus_loss is not None:
            losses.update(self.text_focus_loss(sr[:, :3], hr[:, :3], labels))
        if self.recognition_loss is not None:
            losses.update(self.recognition_loss(sr[:, :3], labels))
        if self.hog_loss is not None:
            losses.update(self.hog_loss(sr[:, :3], hr[:, :3]))
        if self.glyph_loss is not None:
            if line_map is None:
                raise ValueError('glyph_loss is configured but the generator has no glyph modules (glyph_block)')
            if 'gt_line_mask' not in data_samples:
                raise KeyError('glyph_loss needs pseudo masks: add LoadTextZoomGlyphMasks (or GlyphExtraction) to the '
                               "pipeline and PackInputs(data_keys=['gt_char_masks', 'gt_line_mask'])")
            chars = data_samples.gt_char_masks if 'gt_char_masks' in data_samples else None
            losses.update(self.glyph_loss(line_map, char_maps, char_logits, data_samples.gt_line_mask, chars,
                                          labels))
        if self.tp_loss is not None:
            losses.update(self.tp_loss(prior, self.text_prior(hr, drop=False)))
        return losses  # a non-finite term is caught by FiniteLossHook from the logged values (no extra sync)
