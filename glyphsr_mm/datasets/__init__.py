from .sample_seed_sampler import SampleSeedSampler
from .textzoom_dataset import TextZoomDataset
from .textzoom_lmdb import EXPECTED_LAYOUT, TextZoomLMDB, TextZoomLMDBError
from .textzoom_writer import TextZoomLMDBWriter, encode_png
from . import synthetic_text  # noqa: F401

__all__ = ['SampleSeedSampler', 'TextZoomDataset', 'TextZoomLMDBWriter', 'encode_png', 'TextZoomLMDB', 'TextZoomLMDBError', 'EXPECTED_LAYOUT']
