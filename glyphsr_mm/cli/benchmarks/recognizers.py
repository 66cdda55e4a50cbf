"""Benchmark ``recognizers``: images/s of each recognizer on B x 3 x 32 x 128 inputs (``probs`` where it exists, else ``predict``)."""
from typing import List, Tuple

import torch

from glyphsr_mm.utils.markdown import markdown_table
from . import common


def run(args) -> Tuple[str, List[str]]:
    """Images/s of each recognizer on B x 3 x 32 x 128 inputs (``probs`` where it exists, else ``predict``)."""
    import importlib.util

    from glyphsr_mm.models import recognizers as R
    dev, b = args.device, args.batch
    torch.manual_seed(0)
    cases = [
        ('TextZoom CRNN (32x100 gray, CTC)', lambda: R.TextZoomCRNN(allow_random=True)),
        ('TBSRN transformer, released size (d_model 1024), greedy 26 steps',
         lambda: R.TBSRNTransformerRecognizer(allow_random=True)),
        ('TBSRN transformer, width 0.125 (d_model 128), greedy 26 steps',
         lambda: R.TBSRNTransformerRecognizer(width=0.125, num_heads=8, feature_pe=True, allow_random=True)),
        ('PARSeq base (AR decoding + 1 refinement)', lambda: R.PARSeqRecognizer(allow_random=True)),
        ('ASTER, aster.pytorch layout (STN, greedy 26 steps)', lambda: R.ASTERRecognizer(allow_random=True)),
        ('MORAN, MORAN_v2 layout (MORN + ASRN, 20 steps)', lambda: R.MORANRecognizer(allow_random=True)),
        ('MMOCR CRNN (mmocr config)', lambda: R.MMOCRRecognizer('mmocr::textrecog/crnn/crnn_mini-vgg_5e_mj.py',
                                                               allow_random=True)),
        ('MMOCR ASTER (mmocr config)', lambda: R.MMOCRRecognizer(
            'mmocr::textrecog/aster/aster_resnet45_6e_st_mj.py', allow_random=True)),
    ]
    if importlib.util.find_spec('easyocr_en_models'):
        cases.append(('EasyOCR english_g2 (pretrained)', lambda: R.EasyOCRRecognizer()))
    if importlib.util.find_spec('rapidocr') and dev == 'cpu':
        cases.append(('rapidocr PP-OCRv6 small (pretrained, onnxruntime, predict only)', lambda: R.RapidOCRRecognizer()))
    x = torch.rand(b, 3, 32, 128, device=dev)
    header, body = ['recognizer', 'ms / batch', 'images/s', 'ratio to CRNN'], []
    base = None
    for name, make in cases:
        rec = make().to(dev).eval()

        def run():
            with torch.no_grad():
                try:
                    rec.probs(x)
                except NotImplementedError:
                    rec.predict(x)
        ms = common.timeit(run, max(3, args.repeats // 4), warmup=1, device=dev)
        rate = 1000 * b / ms
        base = base or rate
        body.append([name, f'{ms:.0f}', f'{rate:.0f}', f'{rate / base:.2f}'])
    rows = markdown_table(header, body) + ['', f'Batch {b}, median of {max(3, args.repeats // 4)} runs after 1 warm-up; random weights except the '
             'pretrained ones (speed does not depend on the values).']
    return 'recognizers', rows

