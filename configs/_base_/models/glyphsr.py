# GlyphSR as in the paper/release: N = 5 SR blocks, N_gly = 4, L = 16 glyph maps, PARSeq text prior (95 x 26),
# losses 1 * pixel + 1 * text focus + 0.1 * HOG + glyph. Weights paths come from environment variables
# (defaults under checkpoints/); a missing file fails at build time naming it.
parseq_checkpoint = '{{$PARSEQ_CHECKPOINT:checkpoints/parseq-bb5792a6.pt}}'
tbsrn_checkpoint = '{{$TBSRN_TRANSFORMER:checkpoints/pretrain_transformer.pth}}'
tbsrn_confusion = '{{$TBSRN_CONFUSION:checkpoints/confusion_62x62.npy}}'
model = dict(
    type='GlyphSR',
    generator=dict(type='GlyphSRNet', in_channels=4, scale=2, channels=64, num_blocks=5, prior_classes=95,
                   prior_channels=32, glyph_block=4, use_gfm=True, num_maps=16, num_classes=39, gpm_scales=2,
                   stn='rectify', lr_size=(16, 64)),
    text_prior=dict(type='TextPriorGenerator', drop_prob=0.25, finetune=False,
                    recognizer=dict(type='PARSeqRecognizer', checkpoint=parseq_checkpoint)),
    pixel_loss=dict(type='PixelMSELoss', loss_weight=1.0),
    text_focus_loss=dict(type='TextFocusLoss', loss_weight=1.0, confusion=tbsrn_confusion,
                         recognizer=dict(type='TBSRNTransformerRecognizer', checkpoint=tbsrn_checkpoint)),
    hog_loss=dict(type='HOGLoss', loss_weight=0.1),
    glyph_loss=dict(type='GlyphLoss', line_weight=1.0, char_weight=1.0, cls_weight=1.0),
    data_preprocessor=dict(type='DataPreprocessor', mean=[0.0], std=[255.0]),
)
