"""The GlyphSR restorer in MMagic: every config builds, losses fall on a fixed batch, predictions are RGB."""
import glob
import importlib
import os

import pytest
import torch

from tests.conftest import ROOT

pytest.importorskip('mmagic')
from mmagic.structures import DataSample  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

from glyphsr_mm.registry import MODELS  # noqa: E402
from tests.tiny_glyphsr import CONFUSION, TINY_EVAL_RECOGNIZERS, TINY_GENERATOR, TINY_TBSRN, make_synthetic  # noqa



def offline_model_cfg(cfg):
    """The config's model with every recognizer made tiny and random (no weights can be downloaded here)."""
    m = cfg.model
    if m.get('text_prior'):
        m.text_prior.recognizer = dict(TINY_TBSRN)
        if m.generator.type == 'GlyphSRNet':
            m.generator.prior_classes = 37
    if m.get('text_focus_loss'):
        m.text_focus_loss.recognizer = dict(TINY_TBSRN)
        m.text_focus_loss.confusion = CONFUSION
    return m


def offline_evaluators(cfg):
    """Point the config's TextRecognitionAccuracy metrics at tiny random recognizers (no weights here)."""
    for evaluator in (cfg.val_evaluator, cfg.test_evaluator):
        for m in evaluator['metrics']:
            if m['type'] == 'TextRecognitionAccuracy':
                m['recognizers'] = dict(TINY_EVAL_RECOGNIZERS)
                m['recognizer_device'] = 'cpu'


def glyphsr_configs():
    return sorted(glob.glob(os.path.join(ROOT, 'configs', 'glyphsr*.py'))
                  + glob.glob(os.path.join(ROOT, 'configs', 'glyphsr', '*.py')))


def fake_batch(n=4, channels=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    labels = ['hello', 'glyph', 'Sr', 'text1'][:n]
    inputs, samples = [], []
    for i in range(n):
        hr = torch.zeros(channels, 32, 128, dtype=torch.uint8)
        chars = torch.zeros(16, 32, 128, dtype=torch.uint8)
        for t, _ in enumerate(labels[i]):
            x0 = 10 + 20 * t
            hr[:, 8:24, x0:x0 + 12] = 200
            chars[t, 8:24, x0:x0 + 12] = 1
        hr = (hr.float() + torch.rand(hr.shape, generator=g) * 30).clamp(0, 255).to(torch.uint8)
        lr = torch.nn.functional.interpolate(hr[None].float(), size=(16, 64), mode='area')[0].to(torch.uint8)
        inputs.append(lr)
        ds = DataSample(gt_img=hr)
        ds.set_tensor_data(dict(gt_char_masks=chars, gt_line_mask=chars.amax(0, keepdim=True)))
        ds.set_metainfo(dict(gt_text=labels[i]))
        samples.append(ds)
    return dict(inputs=inputs, data_samples=samples)


@pytest.mark.parametrize('path', glyphsr_configs(), ids=os.path.basename)
def test_config_builds(path):
    init_default_scope('mmagic')
    cfg = Config.fromfile(path)
    for mod in cfg.custom_imports.imports:
        importlib.import_module(mod)
    model = MODELS.build(offline_model_cfg(cfg))
    gen_cfg, gen = cfg.model.generator, model.generator
    assert type(gen).__name__ == gen_cfg.type
    if gen_cfg.type == 'GlyphSRNet':  # the paper's knobs reach the network
        n, n_gly = gen_cfg.get('num_blocks', 5), gen_cfg.get('glyph_block', 4)
        gfms = [k for k in range(2, n + 2) if hasattr(gen, f'block_merge{k}')]
        expected = list(range(n_gly + 1, n + 2)) if n_gly is not None and gen_cfg.get('use_gfm', True) else []
        assert gfms == expected, (gfms, expected)
        assert hasattr(gen, 'char_seg') == (n_gly is not None)
    assert gen.takes_text_prior == (model.text_prior is not None)
    if model.text_prior is not None:
        assert model.text_prior.num_classes == gen.prior_classes
    assert (model.glyph_loss is not None) == hasattr(gen, 'char_seg')


def test_missing_recognizer_weights_fail_at_build_naming_the_file():
    init_default_scope('mmagic')
    cfg = Config.fromfile(os.path.join(ROOT, 'configs', 'glyphsr_textzoom.py'))
    cfg.model.text_prior.recognizer.checkpoint = '/nonexistent/parseq.pt'
    with pytest.raises(FileNotFoundError, match='/nonexistent/parseq.pt'):
        MODELS.build(cfg.model)


def train_steps(model, batch, steps=30, lr=2e-3):
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    model.train()
    totals = []
    for _ in range(steps):
        data = model.data_preprocessor(batch, True)
        losses = model(**data, mode='loss')
        total = sum(losses.values())
        opt.zero_grad()
        total.backward()
        opt.step()
        totals.append(total.item())
    return totals, losses


def test_glyphsr_loss_falls_and_predicts_rgb():
    init_default_scope('mmagic')
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='GlyphSR',
        generator=dict(type='GlyphSRNet', channels=16, num_blocks=2, glyph_block=1, prior_classes=37,
                       prior_channels=8, stn='rectify', dcn_backend='torchvision'),
        text_prior=dict(type='TextPriorGenerator', recognizer=dict(TINY_TBSRN), drop_prob=0.25),
        pixel_loss=dict(type='PixelMSELoss'),
        text_focus_loss=dict(type='TextFocusLoss', recognizer=dict(TINY_TBSRN), confusion=CONFUSION),
        hog_loss=dict(type='HOGLoss', loss_weight=0.1), glyph_loss=dict(type='GlyphLoss'),
        recognition_loss=dict(type='RecognitionLoss', loss_weight=0.01,
                              recognizer=dict(type='TextZoomCRNN', hidden=16, allow_random=True)),
        data_preprocessor=dict(type='DataPreprocessor', mean=[0.0], std=[255.0])))
    batch = fake_batch()
    frozen = {k: v.clone() for k, v in model.recognition_loss.state_dict().items()}
    totals, losses = train_steps(model, batch)
    assert {'loss_pix', 'loss_tf_attn', 'loss_tf_ce', 'loss_hog', 'loss_glyph_line', 'loss_glyph_char',
            'loss_glyph_cls', 'loss_rec'} <= set(losses)
    assert all(torch.equal(v, model.recognition_loss.state_dict()[k]) for k, v in frozen.items())
    assert sum(totals[-3:]) / 3 < 0.7 * sum(totals[:3]) / 3
    model.eval()
    with torch.no_grad():
        out = model(**model.data_preprocessor(batch, False), mode='predict')
    assert out[0].output.pred_img.shape == (3, 32, 128) and out[0].gt_img.shape == (3, 32, 128)
    assert 0 <= out[0].output.pred_img.min() and out[0].output.pred_img.max() <= 255
    assert out[0].output.pred_char_maps.shape == (16, 16, 64)
    # MMagic's metrics see prediction and ground truth on the same 0-255 scale (a mismatch gives PSNR < 0).
    from mmagic.evaluation import PSNR
    metric = PSNR()
    metric.process(None, [sample.to_dict() for sample in out])
    assert 3 < metric.compute_metrics(metric.results)['PSNR'] < 60


def test_wrapped_edsr_loss_falls_and_stock_weights_load(tmp_path):
    init_default_scope('mmagic')
    torch.manual_seed(0)
    edsr = dict(type='EDSRNet', in_channels=3, out_channels=3, mid_channels=16, num_blocks=3, upscale_factor=2,
                rgb_mean=[0.0, 0.0, 0.0], rgb_std=[1.0, 1.0, 1.0])
    model = MODELS.build(dict(
        type='GlyphSR',
        generator=dict(type='GlyphAwareGenerator', generator=edsr, channels=16, head_after='body.1',
                       neck_after=['body.1', 'body.2'], dcn_backend='torchvision'),
        pixel_loss=dict(type='PixelMSELoss'), glyph_loss=dict(type='GlyphLoss'),
        data_preprocessor=dict(type='DataPreprocessor', mean=[0.0], std=[255.0])))
    totals, losses = train_steps(model, fake_batch(channels=3))
    assert 'loss_glyph_char' in losses
    assert sum(totals[-3:]) / 3 < 0.7 * sum(totals[:3]) / 3
    # A stock EDSRNet checkpoint (MMagic restorer layout: generator.*) loads into the wrapped generator.
    stock = MODELS.build(edsr)
    torch.save({'state_dict': {f'generator.{k}': v for k, v in stock.state_dict().items()}}, tmp_path / 'edsr.pth')
    model.generator.load_generator_checkpoint(str(tmp_path / 'edsr.pth'))
    assert torch.equal(model.generator.generator.conv_first.weight, stock.conv_first.weight)
    with pytest.raises(KeyError, match='no submodule'):
        MODELS.build(dict(type='GlyphAwareGenerator', generator=edsr, head_after='body.99'))


def test_runner_trains_and_validates_the_glyphsr_config(tmp_path):
    """configs/glyphsr_textzoom.py through MMEngine's runner (tiny network and recognizers, synthetic LMDB with
    glyph masks): losses are logged, MMagic's MultiValLoop runs word accuracy and PSNR/SSIM, the best checkpoint
    (by average word accuracy) and a glyph sheet are written."""
    from mmengine.runner import Runner
    data = tmp_path / 'synth'
    make_synthetic(data)
    cfg = Config.fromfile(os.path.join(ROOT, 'configs', 'glyphsr_textzoom.py'))
    cfg.model = offline_model_cfg(cfg)
    offline_evaluators(cfg)
    cfg.model.generator.update(TINY_GENERATOR)
    masks = [t for t in cfg.train_dataloader.dataset.pipeline if t.type == 'GlyphExtraction']
    assert len(masks) == 1 and masks[0].mode == 'sam'  # GEM's cache on TextZoom ...
    masks[0].update(mode='render', cache=None)  # ... the synthetic set's exact masks here
    cfg.merge_from_dict({
        'work_dir': str(tmp_path / 'work'),
        'train_dataloader.batch_size': 4, 'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False, 'train_dataloader.dataset.data_root': [str(data / 'train')],
        'val_dataloader.batch_size': 4, 'val_dataloader.num_workers': 0, 'val_dataloader.persistent_workers': False,
        'val_dataloader.dataset.data_root': [str(data / 'test' / 'easy')],
        'train_cfg': dict(_delete_=True, type='IterBasedTrainLoop', max_iters=4, val_interval=2),
        'param_scheduler': [], 'log_processor.by_epoch': False,
        'default_hooks.checkpoint.by_epoch': False, 'default_hooks.checkpoint.interval': 2,
        'default_hooks.logger.interval': 1,
    })
    cfg.test_dataloader = cfg.val_dataloader
    runner = Runner.from_cfg(cfg)
    runner.train()
    hub = runner.message_hub
    assert 0 < hub.get_scalar('val/PSNR').current() < 60 and 0 <= hub.get_scalar('val/SSIM').current() <= 1
    assert 'train/loss_glyph_char' in hub.log_scalars and 'train/loss_tf_attn' in hub.log_scalars
    assert hub.get_scalar('train/images_per_s').current() > 0  # ThroughputHook
    val = {k: hub.get_scalar(f'val/{k}').current() for k in
           ('CRNN/easy/word_acc', 'CRNN/average/word_acc', 'TBSRN/easy/word_acc', 'TBSRN/average/word_acc',
            'average/word_acc')}
    # one validation subset: each recognizer's average is its easy accuracy; the selection key is their mean
    assert val['CRNN/average/word_acc'] == val['CRNN/easy/word_acc']
    assert val['TBSRN/average/word_acc'] == val['TBSRN/easy/word_acc']
    assert val['average/word_acc'] == pytest.approx((val['CRNN/average/word_acc'] + val['TBSRN/average/word_acc']) / 2)
    assert glob.glob(str(tmp_path / 'work' / 'best_average_word_acc_iter_*.pth'))
    sheets = glob.glob(str(tmp_path / 'work' / '*' / 'vis_data' / 'vis_image' / 'glyph_sheet_*.png'))
    assert len(sheets) == 2  # one per validation (iterations 2 and 4)


@pytest.mark.parametrize('name,generator,head_after', [
    ('edsr_gfm_textzoom.py', 'EDSRNet', 'body.11'),
    ('msrresnet_gfm_textzoom.py', 'MSRResNet', 'trunk_net.11'),
    ('rrdbnet_gfm_textzoom.py', 'RRDBNet', 'body.17'),
])
def test_gfm_in_mmagic_restorers_trains_from_its_config(name, generator, head_after):
    """Each shipped GFM-in-MMagic config builds at full size, trains (loss falls, glyph losses on) at x2 on 16 x 64
    LR images, and refuses a text prior its generator would drop."""
    init_default_scope('mmagic')
    cfg = Config.fromfile(os.path.join(ROOT, 'configs', 'glyphsr', name))
    assert cfg.model.generator.generator.type == generator and cfg.model.generator.head_after == head_after
    assert cfg.model.text_prior is None
    model_cfg = offline_model_cfg(cfg)
    model_cfg.text_focus_loss = None  # the full-size TBSRN transformer is not needed to show the generator learns
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    totals, losses = train_steps(model, fake_batch(n=2, channels=3), steps=8, lr=1e-3)
    assert {'loss_glyph_char', 'loss_glyph_line'} <= set(losses)
    assert sum(totals[-2:]) / 2 < 0.8 * sum(totals[:2]) / 2, totals
    model.eval()
    with torch.no_grad():
        sr, (line_map, char_maps, _) = model.generator(torch.rand(1, 3, 16, 64))
    assert sr.shape == (1, 3, 32, 128) and char_maps.shape[1] == 16
    with_prior = offline_model_cfg(Config.fromfile(os.path.join(ROOT, 'configs', 'glyphsr_textzoom.py')))
    model_cfg.text_prior = with_prior.text_prior
    with pytest.raises(ValueError, match='takes no text prior: set text_prior=None'):
        MODELS.build(model_cfg)


def tiny_glyphsr_cfg(**model):
    """A GlyphSR config with a 16-channel, 2-block GlyphSRNet (GPM after block 1, no text prior, no STN) and the
    pixel loss; ``model`` adds or overrides restorer arguments (losses, ``channels_last``)."""
    return dict(type='GlyphSR', generator=dict(type='GlyphSRNet', channels=16, num_blocks=2, glyph_block=1,
                                               prior_classes=0, stn='off', dcn_backend='torchvision'),
                pixel_loss=dict(type='PixelMSELoss'),
                data_preprocessor=dict(type='DataPreprocessor', mean=[0.0], std=[255.0]), **model)


def test_non_finite_loss_reaches_finite_loss_hook():
    """forward_train returns a NaN term as it is (no host sync per step); FiniteLossHook names it."""
    from types import SimpleNamespace

    from glyphsr_mm.engine import FiniteLossHook, NonFiniteLossError
    init_default_scope('mmagic')
    torch.manual_seed(0)
    model = MODELS.build(tiny_glyphsr_cfg(glyph_loss=dict(type='GlyphLoss')))
    data = model.data_preprocessor(fake_batch(2), True)
    data['data_samples'].gt_img[0, 0, 0, 0] = float('inf')  # a corrupt HR pixel: only the pixel loss sees it
    losses = model(**data, mode='loss')
    assert torch.isinf(losses['loss_pix']) and torch.isfinite(losses['loss_glyph_line'])
    with pytest.raises(NonFiniteLossError, match='iteration 8 .*loss_pix = inf'):
        FiniteLossHook().after_train_iter(SimpleNamespace(iter=7, epoch=0), 0, outputs=losses)


def test_without_a_class_term_the_gpm_class_branch_is_skipped_and_nothing_else_changes():
    init_default_scope('mmagic')
    torch.manual_seed(0)
    model = MODELS.build(tiny_glyphsr_cfg(glyph_loss=dict(type='GlyphLoss', cls_weight=0.0))).train()
    calls = []
    model.generator.char_seg.rec_proj.register_forward_hook(lambda *a: calls.append(1))
    data = model.data_preprocessor(fake_batch(), True)

    def step(force_logits):
        torch.manual_seed(1)
        model.zero_grad()
        generate = model.generate
        if force_logits:
            model.generate = lambda lr, prior=None, with_char_logits=True: generate(lr, prior)
        losses = model(**data, mode='loss')
        model.generate = generate
        sum(losses.values()).backward()
        grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
        return {k: v.item() for k, v in losses.items()}, grads

    skipped_losses, skipped_grads = step(False)
    assert not calls and 'loss_glyph_cls' not in skipped_losses
    full_losses, full_grads = step(True)
    assert calls and full_losses.pop('loss_glyph_cls') == 0.0
    assert skipped_losses == full_losses
    for name, grad in skipped_grads.items():
        torch.testing.assert_close(grad, full_grads[name], rtol=0, atol=0, msg=name)
    assert not any('rec_proj' in n or 'char_cls' in n for n in skipped_grads)


def test_channels_last_keeps_the_values_and_changes_only_the_layout():
    init_default_scope('mmagic')
    torch.manual_seed(0)
    plain = MODELS.build(tiny_glyphsr_cfg()).eval()
    torch.manual_seed(0)
    fast = MODELS.build(tiny_glyphsr_cfg(channels_last=True)).eval()
    conv = fast.generator.block1[0].weight
    assert conv.is_contiguous(memory_format=torch.channels_last) and not conv.is_contiguous()
    lr = torch.rand(2, 4, 16, 64)
    with torch.no_grad():
        torch.testing.assert_close(fast.generate(lr)[0], plain.generate(lr)[0], atol=1e-5, rtol=1e-5)
    fast.load_state_dict(plain.state_dict())  # a contiguous checkpoint loads into the channels-last model
    assert fast.generator.block1[0].weight.is_contiguous(memory_format=torch.channels_last)
