"""Train a text recognizer (TBSRN's transformer, CRNN, ...) on the HR images and labels of TextZoom-format LMDBs.

    python tools/train_recognizer.py configs/recognizers/tbsrn_transformer_w0.125_synthetic.py [--work-dir DIR]
        [--resume] [--amp] [--cfg-options KEY=VALUE ...] [--launcher pytorch]

The best checkpoint (by word accuracy) loads into the recognizer directly:
``TBSRNTransformerRecognizer(width=..., checkpoint='work_dirs/.../best_recog_word_acc_textzoom_iter_N.pth')``.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from glyphsr_mm.cli.train import run_training  # noqa: E402

if __name__ == '__main__':
    run_training('Train a text recognizer of glyphsr_mm with MMEngine')
