"""TextZoom LMDB dataset for MMagic / MMEngine."""
import os.path as osp
from collections import Counter
from typing import List, Optional, Sequence, Union

from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger

from glyphsr_mm.registry import DATASETS
from glyphsr_mm.utils.text import VOCABULARIES, str_filt
from .textzoom_lmdb import TextZoomLMDB, TextZoomLMDBError

TEST_SUBSETS = ('easy', 'medium', 'hard')


@DATASETS.register_module()
class TextZoomDataset(BaseDataset):
    """TextZoom-format LMDB folders (real TextZoom or the synthetic generator's output).

    Each item's info holds ``lmdb_path`` and ``index`` (images are decoded by the pipeline's
    ``LoadTextZoomImages``), ``gt_text`` (label normalised to ``voc_type``), ``gt_text_raw`` and ``subset``
    (the folder name: ``easy``/``medium``/``hard`` for TextZoom's test folders, else e.g. ``train1``).

    Args:
        data_root: One LMDB folder or a list of them.
        pipeline: Transforms.
        voc_type: ``'digits'``, ``'lower'``, ``'upper'`` or ``'all'`` (TextZoom training keeps ``'all'``).
        max_len: Drop samples whose normalised label is longer (the reference loaders meant to and did not);
            the number dropped is logged. None keeps all.
        on_bad_sample: ``'skip'`` (log and drop) or ``'raise'`` for records with a missing key, an empty or
            non-UTF-8 label, or (at load time, in training: ``LoadTextZoomImages`` inherits this setting) an
            undecodable image. Messages name the LMDB path and index.
        require_hr: False allows LR-only folders (inference without HR).
        drop_empty: Drop samples whose label is empty after normalisation (e.g. only punctuation with
            ``voc_type='lower'``).
        **kwargs: Passed to ``mmengine.dataset.BaseDataset`` (``test_mode``, ``indices``, ``lazy_init``...).
    """

    METAINFO = dict(dataset_type='textzoom', task_name='text_image_super_resolution')

    def __init__(self, data_root: Union[str, Sequence[str]], pipeline: Sequence = (), voc_type: str = 'all',
                 max_len: Optional[int] = None, on_bad_sample: str = 'skip', require_hr: bool = True,
                 drop_empty: bool = True, **kwargs) -> None:
        if voc_type not in VOCABULARIES:
            raise ValueError(f'voc_type must be one of {sorted(VOCABULARIES)}, got {voc_type!r}')
        if on_bad_sample not in ('skip', 'raise'):
            raise ValueError(f"on_bad_sample must be 'skip' or 'raise', got {on_bad_sample!r}")
        roots = [data_root] if isinstance(data_root, str) else list(data_root)
        if not roots:
            raise ValueError('data_root is empty: give one TextZoom LMDB folder or a list of them')
        self.roots = [osp.expanduser(str(r)) for r in roots]
        self.voc_type = voc_type
        self.max_len = max_len
        self.on_bad_sample = on_bad_sample
        self.require_hr = require_hr
        self.drop_empty = drop_empty
        self.stats = {}
        # The folders' names, in order, for per-subset metrics (TextRecognitionAccuracy orders its columns so).
        metainfo = dict(kwargs.pop('metainfo', None) or {})
        metainfo.setdefault('subsets', list(dict.fromkeys(self.subset_name(r) for r in self.roots)))
        super().__init__(data_root='', pipeline=list(pipeline), metainfo=metainfo, **kwargs)

    def __getitem__(self, idx):
        """``idx`` or ``(idx, seed)`` (from :class:`SampleSeedSampler`): with a seed, Python's, NumPy's and torch's
        generators of this process are seeded with it first, so the sample's augmentation depends only on it."""
        if isinstance(idx, (tuple, list)):
            idx, seed = idx
            import random

            import numpy as np
            import torch
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
        return super().__getitem__(idx)

    @staticmethod
    def subset_name(path: str) -> str:
        return osp.basename(osp.normpath(path))

    def _bad(self, msg: str, counts: Counter, reason: str) -> None:
        if self.on_bad_sample == 'raise':
            raise TextZoomLMDBError(msg)
        counts[reason] += 1
        if counts[reason] <= 5:
            MMLogger.get_current_instance().warning(f'skipping bad sample: {msg}')

    def load_data_list(self) -> List[dict]:
        logger = MMLogger.get_current_instance()
        data_list = []
        # The policy the loading transform inherits for undecodable images. MMEngine can replace a skipped sample
        # only in training; at test time a bad image is an error.
        load_policy = 'raise' if self.test_mode else self.on_bad_sample
        for root in self.roots:
            db = TextZoomLMDB(root)
            n = len(db)
            counts = Counter()
            subset = self.subset_name(root)
            kept_before = len(data_list)
            for index in range(1, n + 1):
                try:
                    raw = db.read_label(index)
                except TextZoomLMDBError as e:
                    self._bad(str(e), counts, 'bad label')
                    continue
                missing = [k for k in (('hr', 'lr') if self.require_hr else ('lr', ))
                           if not db.has_image(k, index)]
                if missing:
                    self._bad(f'{db.where(index)}: key image_{missing[0]}-{index:09d} is missing', counts,
                              'missing image')
                    continue
                text = str_filt(raw, self.voc_type)
                if self.drop_empty and not text:
                    counts['empty after voc filter'] += 1
                    continue
                if self.max_len is not None and len(text) > self.max_len:
                    counts[f'longer than max_len={self.max_len}'] += 1
                    continue
                data_list.append(dict(lmdb_path=root, index=index, gt_text=text, gt_text_raw=raw,
                                      subset=subset, sample_idx=len(data_list), on_bad_sample=load_policy))
            db.close()  # data-loader workers open their own handle; none stays open across the fork
            kept = len(data_list) - kept_before
            self.stats[root] = dict(total=n, kept=kept, dropped=dict(counts))
            dropped = ', '.join(f'{v} {k}' for k, v in counts.items()) or 'none'
            logger.info(f'TextZoomDataset {root}: {kept}/{n} samples kept (dropped: {dropped})')
        return data_list
