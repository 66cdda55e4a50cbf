"""tools/setup_env.sh is idempotent: on a set-up environment it rebuilds and reinstalls nothing."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.skipif(not os.path.exists(os.path.join(sys.prefix, '.glyphsr_mm_stamp')),
                    reason='this Python was not set up by tools/setup_env.sh')
def test_second_setup_rebuilds_nothing():
    env = dict(os.environ, GLYPHSR_VENV=sys.prefix)
    res = subprocess.run(['bash', os.path.join(ROOT, 'tools', 'setup_env.sh')], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out
    assert 'mmcv 2.0.1 with ops already installed' in out
    assert 'building from source' not in out and 'installing torch' not in out
    assert 'pinned stack and glyphsr_mm already installed' in out
    assert 'glyphsr_mm environment OK' in out
