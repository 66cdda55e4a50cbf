"""State-dict layouts of the native recognizers against their reference checkpoints (written from the public
definitions of TBSRN's transformer.py, meijieru's crnn.py and PARSeq's model/modules with timm's ViT)."""
import torch

from glyphsr_mm.models.recognizers import ASTERRecognizer, MORANRecognizer, PARSeqRecognizer, TBSRNTransformerRecognizer, TextZoomCRNN


def shapes(module):
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def test_tbsrn_transformer_layout():
    s = shapes(TBSRNTransformerRecognizer(allow_random=True))
    expected = {
        'embedding_word.lut.weight': (37, 512), 'pe.pe': (1, 5000, 512),
        'encoder.cnn.conv1.weight': (64, 1, 3, 3), 'encoder.cnn.conv2.weight': (128, 64, 3, 3),
        'encoder.cnn.layer1.0.downsample.0.weight': (256, 128, 3, 3), 'encoder.cnn.layer1_conv.weight': (256, 256, 3, 3),
        'encoder.cnn.layer2.1.conv2.weight': (256, 256, 3, 3), 'encoder.cnn.layer3.0.downsample.1.weight': (512, ),
        'encoder.cnn.layer3.4.bn2.running_var': (512, ), 'encoder.cnn.layer4.2.conv1.weight': (512, 512, 3, 3),
        'encoder.cnn.layer4_conv2.weight': (1024, 512, 3, 3), 'encoder.cnn.layer4_conv2_bn.weight': (1024, ),
        'decoder.mask_multihead.linears.3.weight': (1024, 1024),
        'decoder.mask_multihead.compress_attention_linear.weight': (1, 16),
        'decoder.multihead.linears.0.bias': (1024, ), 'decoder.mul_layernorm1.a_2': (1024, ),
        'decoder.mul_layernorm3.b_2': (1024, ), 'decoder.pff.w_1.weight': (2048, 1024), 'decoder.pff.w_2.weight': (1024, 2048),
        'generator_word.proj.weight': (37, 1024),
    }
    for k, v in expected.items():
        assert s[k] == v, k
    assert 'encoder.cnn.layer2.0.downsample.0.weight' not in s  # 256 -> 256: no downsample
    assert 'encoder.cnn.layer3.5.conv1.weight' not in s and 'encoder.cnn.layer4.3.conv1.weight' not in s


def test_textzoom_crnn_layout():
    s = shapes(TextZoomCRNN(allow_random=True))
    convs = {0: (64, 1, 3, 3), 1: (128, 64, 3, 3), 2: (256, 128, 3, 3), 3: (256, 256, 3, 3), 4: (512, 256, 3, 3),
             5: (512, 512, 3, 3), 6: (512, 512, 2, 2)}
    for i, shape in convs.items():
        assert s[f'cnn.conv{i}.weight'] == shape
    assert {k for k in s if 'batchnorm' in k and k.endswith('.weight')} == {
        'cnn.batchnorm2.weight', 'cnn.batchnorm4.weight', 'cnn.batchnorm6.weight'}
    assert s['rnn.0.rnn.weight_ih_l0'] == (1024, 512) and s['rnn.0.embedding.weight'] == (256, 512)
    assert s['rnn.1.rnn.weight_hh_l0_reverse'] == (1024, 256) and s['rnn.1.embedding.weight'] == (37, 512)
    assert len(s) == 7 * 2 + 3 * 5 + 2 * (8 + 2)


def test_parseq_layout():
    s = shapes(PARSeqRecognizer(allow_random=True))
    expected = {
        'encoder.patch_embed.proj.weight': (384, 3, 4, 8), 'encoder.pos_embed': (1, 128, 384),
        'encoder.blocks.11.attn.qkv.weight': (1152, 384), 'encoder.blocks.0.attn.proj.bias': (384, ),
        'encoder.blocks.5.mlp.fc1.weight': (1536, 384), 'encoder.norm.weight': (384, ),
        'decoder.layers.0.self_attn.in_proj_weight': (1152, 384), 'decoder.layers.0.cross_attn.out_proj.weight': (384, 384),
        'decoder.layers.0.linear1.weight': (1536, 384), 'decoder.layers.0.norm_q.weight': (384, ),
        'decoder.layers.0.norm_c.bias': (384, ), 'decoder.norm.weight': (384, ),
        'head.weight': (95, 384), 'text_embed.embedding.weight': (97, 384), 'pos_queries': (1, 26, 384),
    }
    for k, v in expected.items():
        assert s[k] == v, k
    assert not any(k.startswith('encoder.blocks.12') or k.startswith('decoder.layers.1') for k in s)
    assert 'encoder.cls_token' not in s


def test_parseq_accepts_lightning_model_prefix(tmp_path):
    torch.manual_seed(0)
    src = PARSeqRecognizer(embed_dim=48, enc_num_heads=2, enc_depth=1, dec_num_heads=2, allow_random=True).eval()
    path = tmp_path / 'parseq.ckpt'
    torch.save({'state_dict': {f'model.{k}': v for k, v in src.state_dict().items()}}, path)
    dst = PARSeqRecognizer(embed_dim=48, enc_num_heads=2, enc_depth=1, dec_num_heads=2, checkpoint=str(path)).eval()
    x = torch.rand(1, 3, 32, 128)
    assert torch.equal(src.probs(x), dst.probs(x))


def test_aster_layout():
    s = shapes(ASTERRecognizer(allow_random=True))
    expected = {
        'encoder.layer0.0.weight': (32, 3, 3, 3), 'encoder.layer1.0.conv1.weight': (32, 32, 1, 1),
        'encoder.layer1.0.downsample.0.weight': (32, 32, 1, 1), 'encoder.layer2.3.conv2.weight': (64, 64, 3, 3),
        'encoder.layer5.2.bn2.running_mean': (512, ), 'encoder.rnn.weight_ih_l0': (1024, 512),
        'encoder.rnn.weight_hh_l1_reverse': (1024, 256),
        'decoder.decoder.attention_unit.sEmbed.weight': (512, 512), 'decoder.decoder.attention_unit.wEmbed.weight': (1, 512),
        'decoder.decoder.tgt_embedding.weight': (98, 512), 'decoder.decoder.gru.weight_ih_l0': (1536, 1024),
        'decoder.decoder.fc.weight': (97, 512),
        'stn_head.stn_convnet.10.0.weight': (256, 256, 3, 3), 'stn_head.stn_fc1.0.weight': (512, 512),
        'stn_head.stn_fc2.weight': (40, 512), 'tps.target_coordinate_repr': (3200, 23), 'tps.inverse_kernel': (23, 23),
    }
    for k, v in expected.items():
        assert s[k] == v, k
    assert 'encoder.layer1.1.downsample.0.weight' not in s and 'encoder.layer2.4.conv1.weight' not in s


def test_moran_layout():
    s = shapes(MORANRecognizer(allow_random=True))
    expected = {
        'MORN.cnn.1.weight': (64, 1, 3, 3), 'MORN.cnn.5.weight': (128, 64, 3, 3), 'MORN.cnn.9.weight': (64, 128, 3, 3),
        'MORN.cnn.12.weight': (16, 64, 3, 3), 'MORN.cnn.15.weight': (1, 16, 3, 3), 'MORN.cnn.16.running_var': (1, ),
        'ASRN.cnn.block0.0.weight': (32, 1, 3, 3), 'ASRN.cnn.block1.0.downsample.0.weight': (32, 32, 3, 3),
        'ASRN.cnn.block1.0.conv1.0.weight': (32, 32, 3, 3), 'ASRN.cnn.block1.1.conv1.0.weight': (32, 32, 1, 1),
        'ASRN.cnn.block3.0.downsample.1.weight': (128, ), 'ASRN.cnn.block5.2.conv2.0.weight': (512, 512, 3, 3),
        'ASRN.rnn.0.rnn.weight_ih_l0': (1024, 512), 'ASRN.rnn.1.embedding.weight': (256, 512),
        'ASRN.attentionL2R.char_embeddings': (38, 256), 'ASRN.attentionR2L.attention_cell.i2h.weight': (256, 256),
        'ASRN.attentionL2R.attention_cell.rnn.weight_ih': (768, 512), 'ASRN.attentionL2R.generator.weight': (37, 256),
    }
    for k, v in expected.items():
        assert s[k] == v, k
    assert 'ASRN.cnn.block1.1.downsample.0.weight' not in s and 'ASRN.attentionL2R.attention_cell.i2h.bias' not in s
    assert not any('grid' in k for k in s)  # MORN's sampling grid is not part of moran.pth
