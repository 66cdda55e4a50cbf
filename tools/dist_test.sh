#!/usr/bin/env bash
# Distributed test with torchrun: bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [tools/test.py options...]
# GPUs use NCCL; on CPU set env_cfg.dist_cfg.backend=gloo (--cfg-options env_cfg.dist_cfg.backend=gloo).
set -euo pipefail
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
PORT=${PORT:-29500}
PY=${PY:-python}
"$PY" -m torch.distributed.run --nproc_per_node="$NPROC" --master_addr=127.0.0.1 --master_port="$PORT" \
    "$(dirname "$0")/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"
