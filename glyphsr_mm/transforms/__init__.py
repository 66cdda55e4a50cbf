from .loading import LoadTextZoomImages
from .text_mask import AddTextMaskChannel, text_mask

__all__ = ['LoadTextZoomImages', 'AddTextMaskChannel', 'text_mask']
