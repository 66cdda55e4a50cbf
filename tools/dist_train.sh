#!/usr/bin/env bash
# Distributed training with torchrun: bash tools/dist_train.sh CONFIG NUM_PROCS [tools/train.py options...]
# GPUs use NCCL; on CPU set env_cfg.dist_cfg.backend=gloo (--cfg-options env_cfg.dist_cfg.backend=gloo).
set -euo pipefail
CONFIG=$1
NPROC=$2
PORT=${PORT:-29500}
PY=${PY:-python}
"$PY" -m torch.distributed.run --nproc_per_node="$NPROC" --master_addr=127.0.0.1 --master_port="$PORT" \
    "$(dirname "$0")/train.py" "$CONFIG" --launcher pytorch "${@:3}"
