from .confusion_ce import ConfusionWeightedCELoss, confusion_weight_table
from .glyph_loss import GLYPH_CLASSES, GlyphLoss, glyph_class_targets
from .hog_loss import HOGLoss, hog_descriptor
from .pixel_loss import PixelMSELoss
from .recognition_loss import RecognitionLoss
from .text_focus_loss import TextFocusLoss
from .text_prior_loss import TextPriorLoss

__all__ = ['ConfusionWeightedCELoss', 'confusion_weight_table', 'GLYPH_CLASSES', 'GlyphLoss', 'glyph_class_targets',
           'HOGLoss', 'hog_descriptor', 'PixelMSELoss', 'RecognitionLoss', 'TextFocusLoss', 'TextPriorLoss']
