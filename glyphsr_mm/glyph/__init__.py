"""The Glyph Extraction Module (GEM): training-free character masks from attention and Segment Anything."""
from .anchors import make_anchors
from .foreground import kmeans_foreground
from .key_points import KeyPoints, glyph_attention_points, position_attention_points
from .mask_selection import mask_iou, select_mask
from .sam_glyph_extractor import GlyphMasks, SAMGlyphExtractor, kmeans_glyph_masks
from .sam_prompter import SAMPrompter, build_sam, naive_predict

__all__ = ['make_anchors', 'kmeans_foreground', 'KeyPoints', 'glyph_attention_points', 'position_attention_points',
           'mask_iou', 'select_mask', 'GlyphMasks', 'SAMGlyphExtractor', 'kmeans_glyph_masks', 'SAMPrompter',
           'build_sam', 'naive_predict']
