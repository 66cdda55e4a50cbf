import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.path.join(os.path.dirname(ROOT), 'shared', 'data')
TEST_DATA = os.path.join(ROOT, 'tests', 'data')

if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def pytest_addoption(parser):
    parser.addoption('--runslow', action='store_true', default=False, help='run tests marked slow')


def pytest_collection_modifyitems(config, items):
    if config.getoption('--runslow') or os.environ.get('GLYPHSR_RUNSLOW') == '1':
        return
    skip = pytest.mark.skip(reason='slow: run with --runslow (make test-all)')
    for item in items:
        if 'slow' in item.keywords:
            item.add_marker(skip)


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (torchrun's ``--master_port=0`` hangs in some sandboxes)."""
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture
def torchrun():
    """Run ``script args...`` under ``torchrun --nproc_per_node=N`` on CPU (gloo); fails with its stderr."""
    import subprocess

    def run(script, *args, nproc=2, timeout=300, env=None):
        cmd = [sys.executable, '-m', 'torch.distributed.run', f'--nproc_per_node={nproc}', '--master_addr=127.0.0.1',
               f'--master_port={free_port()}', str(script), *map(str, args)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                              env={**os.environ, 'PYTHONPATH': ROOT, **(env or {})})
        errors = [line for line in proc.stderr.splitlines() if 'Error' in line and 'ChildFailedError' not in line]
        assert proc.returncode == 0, f'{" ".join(cmd)} failed:\n' + '\n'.join(errors[-10:]) + proc.stderr[-3000:]
        return proc

    return run


@pytest.fixture(autouse=True)
def _seeded_global_rngs():
    """Each test starts from the same global RNG state (Python, NumPy, torch), whatever ran before it, so a draw
    from a global generator (e.g. MMEngine's refetch of a skipped sample) is the same on every run."""
    import random

    import numpy as np
    import torch
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    yield
