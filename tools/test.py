"""Test a restorer with MMagic's runner and print the paper's Table 1 (rows LR / SR / HR per recognizer).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--save-images DIR] [--rows LR SR HR]
        [--cfg-options KEY=VALUE ...] [--launcher pytorch]

Writes <work-dir>/test_results.md and .json. Distributed: tools/dist_test.sh CONFIG CHECKPOINT GPUS.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from glyphsr_mm.cli.test import run_test  # noqa: E402

if __name__ == '__main__':
    run_test()
