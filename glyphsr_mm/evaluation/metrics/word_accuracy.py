"""Word accuracy of a model's own predictions (``pred_text`` in its data samples): recognizer training."""
from typing import Dict, List, Sequence

from mmengine.evaluator import BaseMetric

from glyphsr_mm.registry import METRICS
from glyphsr_mm.evaluation.text_match import MATCH_MODES, is_match


@METRICS.register_module()
class WordAccuracy(BaseMetric):
    """Fraction of samples whose ``pred_text`` matches ``gt_text`` (per mode, in percent).

    Args:
        modes: Comparison modes (see :mod:`glyphsr_mm.evaluation.text_match`).
        prefix: Prefix of the metric names.
    """

    default_prefix = 'recog'

    def __init__(self, modes: Sequence[str] = ('textzoom', ), prefix: str = None, **kwargs) -> None:
        super().__init__(prefix=prefix, **kwargs)
        for m in modes:
            if m not in MATCH_MODES:
                raise ValueError(f'unknown match mode {m!r}; choose from {MATCH_MODES}')
        self.modes = tuple(modes)

    def process(self, data_batch, data_samples: Sequence) -> None:
        for ds in data_samples:
            get = ds.get if isinstance(ds, dict) else (lambda k: getattr(ds, k))
            pred, gt = get('pred_text'), get('gt_text')
            self.results.append({m: float(is_match(pred, gt, m)) for m in self.modes})

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        n = max(len(results), 1)
        return {f'word_acc_{m}': 100.0 * sum(r[m] for r in results) / n for m in self.modes}
