# GFM inside MMagic's RRDBNet (ESRGAN's generator; x2, 23 RRDB blocks). At x2 RRDBNet pixel-unshuffles its input, so
# its features are 8 x 32 for a 16 x 64 LR image: the GPM works at that size and the GFMs' DSTA pads the maps to its
# 15 x 15 minimum. GPM after body.17, GFMs after body.17..22 (the last six blocks, as N_gly = 4 of 5 in GlyphSRNet).
_base_ = ['./edsr_gfm_textzoom.py']
model = dict(
    generator=dict(_delete_=True, type='GlyphAwareGenerator', channels=64, head_after='body.17',
                   neck_after=[f'body.{i}' for i in range(17, 23)],
                   generator=dict(type='RRDBNet', in_channels=3, out_channels=3, mid_channels=64, num_blocks=23,
                                  growth_channels=32, upscale_factor=2)))
