from .text_sr_inferencer import TextSRInferencer, read_images

__all__ = ['TextSRInferencer', 'read_images']
