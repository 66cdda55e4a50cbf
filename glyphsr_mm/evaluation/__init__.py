"""Evaluation: word matching (``text_match``), the results table of the paper's Table 1 (``results_table``), and
the metrics (``metrics``, imported on first use)."""
from .text_match import MATCH_MODES, is_match, normalize

__all__ = ['MATCH_MODES', 'is_match', 'normalize']
