import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_demo_runs_and_says_what_it_did():
    res = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'demo_main.py')], capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert 'glyphsr_mm environment OK' in res.stdout
    assert 'This demo ran:' in res.stdout and 'Not run yet' in res.stdout
    assert 'DSTA(64) on a batch of 48' in res.stdout
