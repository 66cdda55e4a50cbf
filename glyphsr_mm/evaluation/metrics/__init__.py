"""Metrics for MMEngine's evaluator (registered on the METRICS registry's first lookup: they import MMagic's
metric base classes)."""
from .text_recognition_accuracy import TextRecognitionAccuracy
from .word_accuracy import WordAccuracy

__all__ = ['TextRecognitionAccuracy', 'WordAccuracy']
