# GFM inside MMagic's MSRResNet (x2, 16 residual blocks): GPM after trunk_net.11, GFMs after trunk_net.11..15.
_base_ = ['./edsr_gfm_textzoom.py']
model = dict(
    generator=dict(_delete_=True, type='GlyphAwareGenerator', channels=64, head_after='trunk_net.11',
                   neck_after=[f'trunk_net.{i}' for i in range(11, 16)],
                   generator=dict(type='MSRResNet', in_channels=3, out_channels=3, mid_channels=64,
                                  num_blocks=16, upscale_factor=2)))
