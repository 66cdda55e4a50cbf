"""Batched SAM prompting against SamPredictor, tiling, and checkpoint loading (a tiny random SAM: no weights here)."""
import numpy as np
import pytest
import torch

from glyphsr_mm.glyph import SAMPrompter, build_sam, naive_predict


@pytest.fixture(scope='module')
def sam():
    torch.manual_seed(0)
    return build_sam('tiny', allow_random=True)


@pytest.fixture(scope='module')
def crops():
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (32, 128, 3), dtype=np.uint8) for _ in range(5)]
    points = [rng.uniform([0, 0], [127, 31], (7, 2)) for _ in images]
    return images, points


def test_batched_prompts_equal_the_predictor_loop(sam, crops):
    images, points = crops
    ref = naive_predict(sam, images, points)
    prompter = SAMPrompter(sam, encoder_batch=3, prompt_chunk=4)  # chunks split images and prompts unevenly
    emb = prompter.embed(images)
    assert emb.shape[0] == len(images)
    for i, (ref_masks, ref_scores) in enumerate(ref):
        masks, scores = prompter.predict(emb, i, points[i])
        assert masks.shape == ref_masks.shape == (7, 3, 32, 128)
        assert 0.05 < masks.mean() < 0.95  # not trivially empty or full
        assert np.array_equal(masks, ref_masks)
        np.testing.assert_allclose(scores, ref_scores, atol=1e-5)


def test_bf16_autocast_gives_nearly_the_fp32_masks(sam, crops):
    images, points = crops
    fp32, bf16 = SAMPrompter(sam), SAMPrompter(sam, autocast='bf16')
    e32, e16 = fp32.embed(images[:2]), bf16.embed(images[:2])
    assert not torch.equal(e16.float(), e32) and torch.allclose(e16.float(), e32, atol=0.1)  # ran in bf16
    for i in range(2):
        m32, s32 = fp32.predict(e32, i, points[i])
        m16, s16 = bf16.predict(e16, i, points[i])
        assert m16.dtype == bool and s16.dtype == np.float32
        assert (m16 != m32).mean() < 0.05  # bf16 flips pixels near SAM's threshold, not masks
        np.testing.assert_allclose(s16, s32, atol=0.05)
    with pytest.raises(ValueError, match="autocast must be None, 'bf16' or 'fp16'"):
        SAMPrompter(sam, autocast='int8')


def test_tiling_puts_four_crops_in_a_canvas(sam, crops):
    images, points = crops
    tiled = SAMPrompter(sam, tile=True)
    assert tiled.per_canvas == 4
    emb = tiled.embed(images)
    assert emb.shape[0] == 2
    # The fifth crop is alone in its canvas, at the top: exactly the untiled input, so the same masks.
    plain = SAMPrompter(sam)
    alone, _ = tiled.predict(emb, 4, points[4])
    assert np.array_equal(alone, plain.predict(plain.embed(images[4:]), 0, points[4])[0])
    # The others share their canvas: masks are per slot (neighbours may change them, never the shape).
    masks, scores = tiled.predict(emb, 2, points[2])
    assert masks.shape == (7, 3, 32, 128) and scores.shape == (7, 3)


def test_no_prompts_and_wrong_crops(sam, crops):
    prompter = SAMPrompter(sam)
    emb = prompter.embed(crops[0][:1])
    masks, scores = prompter.predict(emb, 0, np.zeros((0, 2)))
    assert masks.shape == (0, 3, 32, 128) and scores.shape == (0, 3)
    with pytest.raises(ValueError, match=r'image 0'):
        prompter.embed([np.zeros((16, 64, 3), np.uint8)])


def test_checkpoint_round_trip_and_clear_errors(sam, tmp_path):
    path = tmp_path / 'tiny_sam.pth'
    torch.save(sam.state_dict(), path)
    loaded = build_sam('tiny', str(path))
    for k, v in sam.state_dict().items():
        assert torch.equal(v, loaded.state_dict()[k]), k
    with pytest.raises(FileNotFoundError, match=r'sam_vit_b_01ec64\.pth.*dl\.fbaipublicfiles\.com'):
        build_sam('vit_b', None)
    with pytest.raises(FileNotFoundError, match=r'nowhere\.pth'):
        build_sam('vit_b', str(tmp_path / 'nowhere.pth'))
    with pytest.raises(KeyError, match=r'model_type'):
        build_sam('vit_b', str(path))  # a tiny checkpoint is not a vit_b
    with pytest.raises(ValueError, match=r'vit_q'):
        build_sam('vit_q', str(path))
