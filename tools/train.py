"""Train GlyphSR (or any config of this project) with MMagic's runner.

    python tools/train.py configs/glyphsr_textzoom.py [--work-dir DIR] [--resume] [--amp]
        [--cfg-options KEY=VALUE ...] [--launcher pytorch]
    torchrun --nproc_per_node=N tools/train.py CONFIG --launcher pytorch   (or tools/dist_train.sh CONFIG N)
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from glyphsr_mm.cli.train import run_training  # noqa: E402

if __name__ == '__main__':
    run_training('Train a GlyphSR restorer with MMagic')
