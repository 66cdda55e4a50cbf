"""Word accuracy of downstream recognizers on SR output (and bicubic LR / HR reference rows): docs/design.md §5.

This module imports MMagic's evaluation package (which pulls in MMagic's model zoo, ~10 s), so it is not imported
by ``import glyphsr_mm``; configs list it in ``custom_imports``.
"""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmagic.evaluation.metrics.base_sample_wise_metric import BaseSampleWiseMetric
from torch import nn

from glyphsr_mm.registry import METRICS, MODELS
from glyphsr_mm.utils.data_sample import sample_field, sample_image
from glyphsr_mm.evaluation.results_table import gap_closed
from glyphsr_mm.evaluation.text_match import MATCH_MODES, is_match

ROWS = ('LR', 'SR', 'HR')


def metric_name(mode: str, row: str = 'SR') -> str:
    """Name of the accuracy under ``mode`` for ``row``: ``word_acc`` (TextZoom protocol, SR),
    ``word_acc_ignore_case``, ``word_acc_LR``, ``word_acc_exact_HR``..."""
    name = 'word_acc' if mode == 'textzoom' else f'word_acc_{mode}'
    return name if row == 'SR' else f'{name}_{row}'


@METRICS.register_module()
class TextRecognitionAccuracy(BaseSampleWiseMetric):
    """Word accuracy (percent) of one or more recognizers reading the SR images, per subset and on average.

    Keys: ``{recognizer}/{subset}/word_acc`` for each subset (``easy``/``medium``/``hard`` on TextZoom, from the
    samples' ``subset`` meta key, ordered by the dataset metainfo's ``subsets``), ``{recognizer}/average/word_acc``
    (the plain mean of the subsets' accuracies, as the paper and the authors' test script average: sum / 3 on
    TextZoom), ``{recognizer}/weighted/word_acc`` (sample-weighted over all samples, as some TextZoom papers
    report: 1,619 / 1,411 / 1,343) and, with several recognizers, ``average/word_acc`` (the mean of their
    averages: the value to select checkpoints by). With all three rows, ``{recognizer}/{subset}/gap_closed`` and
    ``{recognizer}/average/gap_closed`` give the share (percent) of the bicubic-to-HR gap that SR closes,
    100 (SR - LR) / (HR - LR), under the first comparison mode (absent where HR reads no more than LR). Reference
    rows add ``_LR`` (bicubic-upsampled input) / ``_HR`` (ground truth);
    further comparison modes add ``_{mode}`` (see :func:`metric_name`). Each recognizer reads a whole batch per
    call. Reference rows do not depend on the model: they are computed once per sample (keyed by its LMDB path
    and index) and reused in later validations.

    Args:
        recognizers: Name -> recognizer config (built from the MODELS registry) or an object with
            ``predict(images_in_0_1) -> List[str]`` (e.g. a :class:`TextRecognizer`).
        rows: Which images to read: any of ``'LR'``, ``'SR'``, ``'HR'`` (Table 1 of the paper shows all three).
        upsample_lr: Bicubic-upsample LR images to the SR size before the recognizers (True), or hand them over
            at their own size so that each recognizer's preprocessing resizes them (False: the GlyphSR release's
            test script, whose CRNN/MORAN resize 16x64 directly to 32x100 and whose ASTER reads 16x64 as is).
        mode: Comparison mode(s): ``'textzoom'`` (lower-cased alphanumerics, the default), or MMOCR WordMetric's
            ``'exact'``, ``'ignore_case'``, ``'ignore_case_symbol'``.
        channel_order: Channel order of ``gt_img``/``pred_img``/``input`` in the data samples. MMagic's eval-mode
            preprocessing and ``destruct`` produce ``'BGR'``; recognizers get RGB.
        recognizer_device: Device of the recognizers; ``'auto'``: CUDA when available.
        gt_key, pred_key, input_key, text_key, subset_key: Where images, labels and subsets are found.
        collect_device, prefix: As for MMEngine metrics (results are gathered across ranks before averaging).
    """

    metric = 'word_acc'
    default_prefix = ''  # keys are namespaced by recognizer already (and '' keeps MMEngine from warning)

    def __init__(self, recognizers: Dict[str, Union[dict, nn.Module]], rows: Sequence[str] = ('SR', ),
                 upsample_lr: bool = True, mode: Union[str, Sequence[str]] = 'textzoom', channel_order: str = 'BGR',
                 recognizer_device: str = 'auto', gt_key: str = 'gt_img', pred_key: str = 'pred_img',
                 input_key: str = 'input', text_key: str = 'gt_text', subset_key: str = 'subset',
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(gt_key=gt_key, pred_key=pred_key, collect_device=collect_device, prefix=prefix)
        if not recognizers:
            raise ValueError('TextRecognitionAccuracy needs at least one recognizer: recognizers=dict(NAME=cfg)')
        self.modes = (mode, ) if isinstance(mode, str) else tuple(mode)
        for m in self.modes:
            if m not in MATCH_MODES:
                raise ValueError(f'unknown comparison mode {m!r}; choose from {MATCH_MODES}')
        bad = [r for r in rows if r not in ROWS]
        if bad or not rows:
            raise ValueError(f'rows must be a non-empty subset of {ROWS}, got {tuple(rows)}')
        self.rows = tuple(r for r in ROWS if r in rows)
        self.upsample_lr = upsample_lr
        if channel_order.upper() not in ('RGB', 'BGR'):
            raise ValueError(f"channel_order must be 'RGB' or 'BGR', got {channel_order!r}")
        self.channel_order = channel_order.upper()
        self.input_key, self.text_key, self.subset_key = input_key, text_key, subset_key
        if recognizer_device == 'auto':
            recognizer_device = 'cuda' if torch.cuda.is_available() else 'cpu'
        self.recognizer_device = torch.device(recognizer_device)
        self.recognizers = OrderedDict()
        for name, rec in recognizers.items():
            if '/' in name:
                raise ValueError(f"recognizer name {name!r} must not contain '/' (it separates metric key parts)")
            if isinstance(rec, dict):
                rec = MODELS.build(rec)
            if isinstance(rec, nn.Module):
                rec = rec.to(self.recognizer_device).eval()
            if not callable(getattr(rec, 'predict', None)):
                raise TypeError(f'recognizer {name!r} ({type(rec).__name__}) has no predict(images) method')
            self.recognizers[name] = rec
        self._reference_cache: Dict[tuple, str] = {}

    # -- images ----------------------------------------------------------------------------------------------------
    def _row_images(self, row: str, samples: Sequence) -> torch.Tensor:
        key = {'SR': self.pred_key, 'HR': self.gt_key, 'LR': self.input_key}[row]
        imgs = []
        for i, s in enumerate(samples):
            img = sample_image(s, key, self.channel_order, in_output=row == 'SR')
            if img is None:
                hint = {'SR': 'the model output', 'HR': "the data sample (set rows without 'HR' for LR-only data)",
                        'LR': 'the data sample (the restorer puts the de-normalised input there)'}[row]
                raise KeyError(f'TextRecognitionAccuracy: sample {self._sample_name(s, i)} has no {key!r} in {hint}')
            if img.dim() != 3 or img.shape[0] not in (1, 3):
                raise ValueError(f'TextRecognitionAccuracy: {key!r} of sample {self._sample_name(s, i)} is not a '
                                 f'C x H x W image with C in (1, 3): {tuple(img.shape)}')
            imgs.append((img / 255.).clamp(0, 1))
        batch = torch.stack(imgs)
        if row == 'LR' and self.upsample_lr:  # bicubic to the size of the SR images
            ref = sample_field(sample_field(samples[0], 'output', {}), self.pred_key)
            size = ref.shape[-2:] if ref is not None else sample_field(samples[0], self.gt_key).shape[-2:]
            batch = F.interpolate(batch, size=tuple(size), mode='bicubic', align_corners=False).clamp(0, 1)
        return batch

    def _sample_name(self, sample, i: int) -> str:
        path, index = sample_field(sample, 'lmdb_path'), sample_field(sample, 'index')
        return f'{path}#{index}' if path is not None else f'#{i} of the batch'

    # -- metric ----------------------------------------------------------------------------------------------------
    def _read(self, name: str, rec, row: str, samples: Sequence) -> List[str]:
        keys = [(name, row, sample_field(s, 'lmdb_path'), sample_field(s, 'index')) for s in samples]
        cacheable = row != 'SR' and all(k[2] is not None and k[3] is not None for k in keys)
        if cacheable and all(k in self._reference_cache for k in keys):
            return [self._reference_cache[k] for k in keys]
        images = self._row_images(row, samples)
        if isinstance(rec, nn.Module):
            images = images.to(self.recognizer_device)
        with torch.no_grad():
            texts = list(rec.predict(images))
        if len(texts) != len(samples):
            raise RuntimeError(f'recognizer {name!r} returned {len(texts)} strings for {len(samples)} images')
        if cacheable:
            self._reference_cache.update(zip(keys, texts))
        return texts

    def process(self, data_batch, data_samples: Sequence) -> None:
        labels = []
        for i, s in enumerate(data_samples):
            text = sample_field(s, self.text_key)
            if text is None:
                raise KeyError(f'TextRecognitionAccuracy: sample {self._sample_name(s, i)} has no {self.text_key!r}; '
                               f"add it to PackInputs(meta_keys=[..., '{self.text_key}'])")
            labels.append(text)
        results = [dict(subset=sample_field(s, self.subset_key) or 'all', gt_text=t, pred={}, hit={})
                   for s, t in zip(data_samples, labels)]
        for name, rec in self.recognizers.items():
            for row in self.rows:
                for r, pred in zip(results, self._read(name, rec, row, data_samples)):
                    r['pred'][f'{name}/{row}'] = pred
                    for m in self.modes:
                        r['hit'][f'{name}/{metric_name(m, row)}'] = float(is_match(pred, r['gt_text'], m))
        self.results.extend(results)

    def _subset_order(self, results: List[dict]) -> List[str]:
        seen = list(OrderedDict.fromkeys(r['subset'] for r in results))
        declared = list((self.dataset_meta or {}).get('subsets') or [])
        return [s for s in declared if s in seen] + [s for s in seen if s not in declared]

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        if not results:
            raise ValueError('TextRecognitionAccuracy: no samples were evaluated')
        subsets = self._subset_order(results)
        out = OrderedDict()
        for name in self.recognizers:
            for row in self.rows:
                for m in self.modes:
                    key = f'{name}/{metric_name(m, row)}'
                    for subset in subsets if subsets != ['all'] else []:
                        hits = [r['hit'][key] for r in results if r['subset'] == subset]
                        out[f'{name}/{subset}/{metric_name(m, row)}'] = 100. * sum(hits) / len(hits)
                    per_subset = [out[f'{name}/{subset}/{metric_name(m, row)}'] for subset in subsets
                                  if subsets != ['all']]
                    weighted = 100. * sum(r['hit'][key] for r in results) / len(results)
                    # The paper's (and the release's) average is the plain mean of the subsets (sum / 3 on
                    # TextZoom); the sample-weighted one (by subset size) is reported beside it.
                    out[f'{name}/average/{metric_name(m, row)}'] = (sum(per_subset) / len(per_subset)
                                                                    if per_subset else weighted)
                    out[f'{name}/weighted/{metric_name(m, row)}'] = weighted
        if self.rows == ROWS:
            for name in self.recognizers:
                for subset in [s for s in subsets if s != 'all'] + ['average']:
                    g = gap_closed(*(out.get(f'{name}/{subset}/{metric_name(self.modes[0], row)}') for row in ROWS))
                    if g is not None:
                        out[f'{name}/{subset}/gap_closed'] = g
        if len(self.recognizers) > 1:
            for row in self.rows:
                for m in self.modes:
                    n = metric_name(m, row)
                    out[f'average/{n}'] = sum(out[f'{k}/average/{n}'] for k in self.recognizers) / len(
                        self.recognizers)
        return dict(out)
