"""Benchmark ``deform_conv``: the DSTA deformable conv (depth-wise, 3x3) and a whole DSTA block, MMCV vs torchvision backends."""
from typing import List, Tuple

import torch

from glyphsr_mm.utils.markdown import markdown_table
from . import common


def run(args) -> Tuple[str, List[str]]:
    """The DSTA deformable conv (depth-wise, 3x3) and a whole DSTA block, MMCV vs torchvision backends."""
    from glyphsr_mm.models.layers import DSTA, ModulatedDeformConv2d, mmcv_ops_available
    backends = ['torchvision'] + (['mmcv'] if mmcv_ops_available() else [])
    dev = args.device
    header = ['case', 'backend', 'forward ms', 'forward+backward ms', 'fwd ratio to torchvision', 'fwd+bwd ratio']
    body = []
    torch.manual_seed(0)
    b = args.batch
    cases = [
        # name, module factory, input shapes: the DCN inside GFM's DSTA(64) runs on 16 channels at its pooled size;
        # a full-resolution depth-wise DCN on 16 x 64 maps is the heavier variant.
        ('dw-DCN 16ch, B x 16 x 16 x 64', lambda be: ModulatedDeformConv2d(16, 16, 3, padding=1, groups=16,
                                                                            deform_groups=16, backend=be),
         lambda: (torch.randn(b, 16, 16, 64), 2 * torch.randn(b, 288, 16, 64), torch.rand(b, 144, 16, 64))),
        ('DSTA(64), B x 64 x 16 x 64', lambda be: DSTA(64, dcn_backend=be), lambda: (torch.randn(b, 64, 16, 64), )),
    ]
    for name, make, inputs in cases:
        base = {}
        ref = make('torchvision').to(dev)
        xs = [t.to(dev) for t in inputs()]
        for be in backends:
            m = make(be).to(dev)
            m.load_state_dict(ref.state_dict())
            xs_g = [t.clone().requires_grad_(t.is_floating_point()) for t in xs]

            def fwd():
                with torch.no_grad():
                    m(*xs)

            def fwd_bwd():
                m.zero_grad(set_to_none=True)
                m(*xs_g).square().mean().backward()
            f, fb = common.timeit(fwd, args.repeats, device=dev), common.timeit(fwd_bwd, args.repeats, device=dev)
            base.setdefault('f', f)
            base.setdefault('fb', fb)
            body.append([name.replace('B', str(b)), be, f'{f:.2f}', f'{fb:.2f}', f'{f / base["f"]:.2f}',
                         f'{fb / base["fb"]:.2f}'])
    rows = markdown_table(header, body, 'llrrrr') + ['', f'Median of {args.repeats} runs after 3 warm-up runs.']
    return 'deform_conv', rows

