"""`make demo`: the main job on the embedded default (no data or weights to fetch).

What exists so far is exercised and reported plainly; the full pipeline (synthetic TextZoom, glyph
extraction, GlyphSR vs Baseline1 training, evaluation report) is wired by the end-to-end issue.
"""
import sys
import time

import torch


def main() -> int:
    from glyphsr_mm.utils.collect_env import main as env_report
    print('== glyphsr_mm demo ==')
    if env_report() != 0:
        return 1
    from glyphsr_mm.models.layers import ModulatedDeformConv2d, mmcv_ops_available
    torch.manual_seed(0)
    x = torch.randn(8, 16, 16, 64)
    offset = 2 * torch.randn(8, 2 * 16 * 9, 16, 64)
    mask = torch.rand(8, 16 * 9, 16, 64)
    layers = {'torchvision': ModulatedDeformConv2d(16, 16, 3, padding=1, groups=16, deform_groups=16,
                                                   backend='torchvision')}
    if mmcv_ops_available():
        layers['mmcv'] = ModulatedDeformConv2d(16, 16, 3, padding=1, groups=16, deform_groups=16, backend='mmcv')
        layers['mmcv'].load_state_dict(layers['torchvision'].state_dict())
    outs = {}
    for name, layer in layers.items():
        t = time.perf_counter()
        outs[name] = layer(x, offset, mask)
        print(f'depth-wise modulated deformable conv (DSTA layer), 8 x 16 x 16 x 64, backend {name}: '
              f'{1000 * (time.perf_counter() - t):.1f} ms')
    if len(outs) == 2:
        print(f'max |mmcv - torchvision| = {(outs["mmcv"] - outs["torchvision"]).abs().max().item():.2e}')
    from glyphsr_mm.models.layers import DSTA
    dsta = DSTA(64).eval()
    with torch.no_grad():
        t = time.perf_counter()
        y = dsta(torch.randn(48, 64, 16, 64))
    print(f'DSTA(64) on a batch of 48 LR feature maps (48 x 64 x 16 x 64), backend {dsta.dcn.backend}: '
          f'{1000 * (time.perf_counter() - t):.1f} ms, output {tuple(y.shape)}')
    print('\nThis demo ran: the environment report, the deformable-conv backends and the DSTA block.\n'
          'Not run yet (not implemented in this version): synthetic TextZoom generation, glyph extraction, '
          'GlyphSR training and evaluation.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
