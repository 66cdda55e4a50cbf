"""Reading a TextZoom record's images in the data pipeline."""
from typing import Optional, Sequence


from mmcv.transforms import BaseTransform
from mmengine.logging import MMLogger

from glyphsr_mm.datasets.textzoom_lmdb import TextZoomLMDB, TextZoomLMDBError
from glyphsr_mm.registry import TRANSFORMS
from glyphsr_mm.utils.image import resize_bicubic


@TRANSFORMS.register_module()
class LoadTextZoomImages(BaseTransform):
    """Decode the LR image into ``results['img']`` and the HR image into ``results['gt']`` (RGB uint8 HWC).

    Needs ``lmdb_path`` and ``index`` in the sample info (set by ``TextZoomDataset``), or the images themselves in
    ``img`` (and ``gt``) as RGB uint8 arrays, which are resized in the same way (the inferencer's input). A record without HR
    (LR-only data) gets no ``gt`` when ``require_hr`` is False. With ``lr_size``/``hr_size`` the images are
    resized with PIL's bicubic filter, as TextZoom's reference loaders do (TSRN's ``resizeNormalize``); an image
    already at its size is left untouched (no resampling, no cost). ``resize_backend='cv2'`` is about 4x faster
    per image but not identical (OpenCV's bicubic kernel, no anti-aliasing when shrinking).

    Args:
        lr_size: (H, W) of LR images, e.g. (16, 64); None keeps the stored size.
        hr_size: (H, W) of HR images, e.g. (32, 128); None keeps the stored size.
        resize_backend: ``'pillow'`` (TextZoom's reference resizing) or ``'cv2'``.
        require_hr: Fail (or skip) when the HR image is missing.
        on_bad_sample: What to do with a record whose image does not decode: ``'raise'`` an error naming the LMDB
            path and index, or ``'skip'``: log it (with the running count of skipped samples) and return None, so
            that MMEngine's dataset draws another sample (training only; at test time MMEngine refuses None).
            None (default): the dataset's ``on_bad_sample`` (``TextZoomDataset`` puts it in each sample's info),
            so one setting on the dataset governs both the index checks and decoding.
    """

    def __init__(self, lr_size: Optional[Sequence[int]] = None, hr_size: Optional[Sequence[int]] = None,
                 resize_backend: str = 'pillow', require_hr: bool = True,
                 on_bad_sample: Optional[str] = None) -> None:
        if on_bad_sample not in ('skip', 'raise', None):
            raise ValueError(f"on_bad_sample must be 'skip', 'raise' or None (the dataset's), got {on_bad_sample!r}")
        if resize_backend not in ('pillow', 'cv2'):
            raise ValueError(f"resize_backend must be 'pillow' or 'cv2', got {resize_backend!r}")
        self.resize_backend = resize_backend
        self.sizes = {'lr': tuple(lr_size) if lr_size else None, 'hr': tuple(hr_size) if hr_size else None}
        self.require_hr = require_hr
        self.on_bad_sample = on_bad_sample
        # 'path#index' of each sample skipped by this transform in this process, once each (MMEngine's random
        # refetch can draw the same bad sample again), and how many skips happened in all.
        self.skipped = []
        self.skip_count = 0

    def transform(self, results: dict) -> Optional[dict]:
        if 'lmdb_path' not in results:  # a sample given as arrays, e.g. by TextSRInferencer
            if 'img' not in results:
                raise KeyError('LoadTextZoomImages needs lmdb_path and index (TextZoomDataset) or an RGB image in '
                               "results['img']")
            return self._put(results, {kind: results[key] for kind, key in (('lr', 'img'), ('hr', 'gt'))
                                       if key in results})
        db, index = TextZoomLMDB(results['lmdb_path']), results['index']
        try:
            encoded = {}
            imgs = db.read_images(index, ('lr', 'hr'), optional=() if self.require_hr else ('hr', ), encoded=encoded)
        except TextZoomLMDBError as e:
            policy = self.on_bad_sample or results.get('on_bad_sample', 'raise')
            if policy == 'raise':
                raise
            name = f'{results["lmdb_path"]}#{index}'
            if name not in self.skipped:
                self.skipped.append(name)
            self.skip_count += 1
            MMLogger.get_current_instance().warning(
                f'skipping bad sample ({self.skip_count} skips of {len(self.skipped)} distinct samples so far in '
                f'this loader process, latest: {", ".join(self.skipped[-5:])}): {e}')
            return None
        if 'hr' in encoded:  # the stored HR bytes: GlyphExtraction keys its cache by them without a second read
            results['gt_bytes'] = encoded['hr']
        return self._put(results, imgs)

    def _put(self, results: dict, imgs: dict) -> dict:
        """``imgs`` (``{'lr'|'hr': RGB uint8 array}``) resized into ``img`` / ``gt`` with their original shapes."""
        for kind, key in (('lr', 'img'), ('hr', 'gt')):
            if kind in imgs:
                results[f'ori_{key}_shape'] = imgs[kind].shape
                results[key] = resize_bicubic(imgs[kind], self.sizes[kind], self.resize_backend)
                # MMagic's convention: in eval mode its preprocessor turns gt_img to BGR and destruct() turns
                # predictions and inputs to BGR, so metrics and visualisers all see one declared order.
                results[f'{key}_channel_order'] = 'rgb'
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(lr_size={self.sizes["lr"]}, hr_size={self.sizes["hr"]}, '
                f'resize_backend={self.resize_backend!r}, require_hr={self.require_hr}, on_bad_sample={self.on_bad_sample!r})')
