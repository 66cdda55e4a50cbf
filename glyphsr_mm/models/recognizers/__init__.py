"""Text recognizers behind one interface (:class:`TextRecognizer`): see ``base.py`` for the contract."""
from .aster import ASTERRecognizer
from .base import Charset, Preprocess, TextRecognizer
from .crnn import TextZoomCRNN
from .easyocr_recognizer import EasyOCRRecognizer
from .mmocr_recognizer import MMOCRRecognizer
from .moran import MORANRecognizer
from .parseq import PARSeqRecognizer
from .rapidocr_recognizer import RapidOCRRecognizer
from .tbsrn_transformer import TBSRNTransformerRecognizer

__all__ = ['ASTERRecognizer', 'Charset', 'Preprocess', 'TextRecognizer', 'TextZoomCRNN', 'EasyOCRRecognizer',
           'MMOCRRecognizer', 'MORANRecognizer', 'PARSeqRecognizer', 'RapidOCRRecognizer', 'TBSRNTransformerRecognizer',
           'RecognizerTrainingModel']


def __getattr__(name: str):
    if name == 'RecognizerTrainingModel':  # imports mmengine.model (seconds): on first use
        from .training import RecognizerTrainingModel
        return RecognizerTrainingModel
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
