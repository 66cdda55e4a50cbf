"""What MMEngine's LocalVisBackend logged in a work dir."""
import glob
import json
import os.path as osp
from typing import Dict, List


def scalar_logs(work_dir: str) -> List[List[Dict[str, float]]]:
    """The rows of each ``<work_dir>/<timestamp>/vis_data/scalars.json``, one list per start of the run (a resumed
    run has several), oldest first; training rows carry ``loss``, validation rows the metrics."""
    logs = []
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path, encoding='utf-8') as f:
            logs.append([json.loads(line) for line in f if line.strip()])
    return logs
