"""CUDA checks (skipped without a GPU; `tools/gpu_check.sh` runs them): the deformable conv agrees across backends
and devices on CUDA, bf16 autocast training steps stay close to fp32, and batched GEM prompting equals the
SamPredictor loop on CUDA."""
import numpy as np
import pytest
import torch

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA (tools/gpu_check.sh)')]


def test_deform_conv_on_cuda_matches_cpu_and_mmcv():
    from glyphsr_mm.models.layers.deform_conv import ModulatedDeformConv2d, mmcv_ops_available
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 16, 16, 64, generator=g)
    offset = 2.5 * torch.randn(4, 2 * 9 * 16, 16, 64, generator=g)
    mask = torch.rand(4, 9 * 16, 16, 64, generator=g)
    torch.manual_seed(0)
    cpu = ModulatedDeformConv2d(16, 16, 3, 1, 1, groups=16, deform_groups=16, backend='torchvision')
    ref = cpu(x, offset, mask)
    backends = ['torchvision'] + (['mmcv'] if mmcv_ops_available() else [])
    for backend in backends:
        layer = ModulatedDeformConv2d(16, 16, 3, 1, 1, groups=16, deform_groups=16, backend=backend).cuda()
        layer.load_state_dict(cpu.state_dict())
        out = layer(x.cuda(), offset.cuda(), mask.cuda())
        torch.testing.assert_close(out.cpu(), ref, atol=1e-4, rtol=1e-4, msg=f'{backend} on CUDA vs CPU')


def test_bf16_autocast_training_step_is_close_to_fp32():
    from glyphsr_mm.models.editors.glyphsr import GlyphSRNet
    torch.manual_seed(0)
    net = GlyphSRNet(channels=32, num_blocks=3, glyph_block=2, prior_classes=37, prior_channels=16, stn='off',
                     dcn_backend='torchvision').cuda()
    lr, prior = torch.rand(8, 4, 16, 64, device='cuda'), torch.rand(8, 37, 1, 26, device='cuda').softmax(1)
    hr = torch.rand(8, 4, 32, 128, device='cuda')
    losses = {}
    for name, ctx in (('fp32', torch.autocast('cuda', enabled=False)),
                      ('bf16', torch.autocast('cuda', dtype=torch.bfloat16))):
        net.zero_grad(set_to_none=True)
        with ctx:
            sr, (line, chars, logits) = net(lr, prior)
            loss = torch.nn.functional.mse_loss(sr.float(), hr) + line.float().mean() + chars.float().mean()
        loss.backward()
        grads = torch.cat([p.grad.flatten() for p in net.parameters() if p.grad is not None])
        assert torch.isfinite(loss) and torch.isfinite(grads).all(), name
        losses[name] = (loss.item(), grads)
    assert abs(losses['bf16'][0] - losses['fp32'][0]) < 2e-2 * abs(losses['fp32'][0]) + 1e-3
    cos = torch.nn.functional.cosine_similarity(losses['bf16'][1], losses['fp32'][1], dim=0)
    assert cos > 0.95, cos


def test_batched_gem_prompts_equal_the_predictor_loop_on_cuda():
    from glyphsr_mm.glyph import SAMPrompter, build_sam, naive_predict
    torch.manual_seed(0)
    sam = build_sam('tiny', allow_random=True).cuda()
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (32, 128, 3), dtype=np.uint8) for _ in range(5)]
    points = [rng.uniform([0, 0], [127, 31], (7, 2)) for _ in images]
    ref = naive_predict(sam, images, points)
    prompter = SAMPrompter(sam, encoder_batch=3, prompt_chunk=4)
    emb = prompter.embed(images)
    for i, (ref_masks, ref_scores) in enumerate(ref):
        masks, scores = prompter.predict(emb, i, points[i])
        assert (masks != ref_masks).mean() < 1e-3, i  # TF32/cuDNN may flip a few boundary pixels
        np.testing.assert_allclose(scores, ref_scores, atol=1e-3)
