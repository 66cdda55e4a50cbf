"""Reading a TextZoom record's images in the data pipeline."""
from typing import Dict, Optional

from mmcv.transforms import BaseTransform
from mmengine.logging import MMLogger

from glyphsr_mm.datasets.textzoom_lmdb import TextZoomLMDB, TextZoomLMDBError
from glyphsr_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadTextZoomImages(BaseTransform):
    """Decode the LR image into ``results['img']`` and the HR image into ``results['gt']`` (RGB uint8 HWC).

    Needs ``lmdb_path`` and ``index`` in the sample info (set by ``TextZoomDataset``). A record without HR
    (LR-only data) gets no ``gt`` when ``require_hr`` is False.

    Args:
        require_hr: Fail (or skip) when the HR image is missing.
        on_bad_sample: ``'raise'``: raise an error naming the LMDB path and index; ``'skip'``: log it and return
            None, so that MMEngine's dataset draws another sample (training only).
    """

    def __init__(self, require_hr: bool = True, on_bad_sample: str = 'raise') -> None:
        if on_bad_sample not in ('skip', 'raise'):
            raise ValueError(f"on_bad_sample must be 'skip' or 'raise', got {on_bad_sample!r}")
        self.require_hr = require_hr
        self.on_bad_sample = on_bad_sample
        self._dbs: Dict[str, TextZoomLMDB] = {}

    def _db(self, path: str) -> TextZoomLMDB:
        if path not in self._dbs:
            self._dbs[path] = TextZoomLMDB(path)
        return self._dbs[path]

    def transform(self, results: dict) -> Optional[dict]:
        db, index = self._db(results['lmdb_path']), results['index']
        try:
            results['img'] = db.read_image('lr', index)
            if self.require_hr or db.has_image('hr', index):
                results['gt'] = db.read_image('hr', index)
        except TextZoomLMDBError as e:
            if self.on_bad_sample == 'raise':
                raise
            MMLogger.get_current_instance().warning(f'skipping bad sample: {e}')
            return None
        results['ori_img_shape'] = results['img'].shape
        if 'gt' in results:
            results['ori_gt_shape'] = results['gt'].shape
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(require_hr={self.require_hr}, on_bad_sample={self.on_bad_sample!r})'
