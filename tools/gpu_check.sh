#!/usr/bin/env bash
# The GPU checks in one go, on a CUDA machine with the project's environment (make setup), in under 8 minutes:
#   1. the CUDA tests (tests/test_cuda.py: deformable conv on CUDA vs CPU and vs mmcv, bf16 autocast steps,
#      batched GEM prompting == SamPredictor on CUDA);
#   2. the GPU benchmark rows: model step (fp32, bf16, channels_last) and GEM images/s (SAM vit_b, random weights),
#      written to docs/benchmarks.md (sections "(cuda)").
# Usage: bash tools/gpu_check.sh [PY]       (PY defaults to .venv/bin/python, else python3)
# Exit status: non-zero when CUDA is missing or a check fails; the benchmark rows are written either way.
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${1:-${PY:-}}"
if [ -z "$PY" ]; then
    if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
export PYTHONUNBUFFERED=1
if ! "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    echo "gpu_check: no CUDA device visible to $PY (torch.cuda.is_available() is False)" >&2
    exit 2
fi
"$PY" -c 'import torch; print("gpu_check:", torch.cuda.get_device_name(0), "torch", torch.__version__)'
status=0
timeout 240 "$PY" -m pytest -q -m cuda tests/test_cuda.py -p no:cacheprovider || status=$?
timeout 150 "$PY" tools/benchmark.py model_step --device cuda --batch 48 --repeats 12 \
    --variants fp32 bf16 channels_last || status=$?
timeout 90 "$PY" tools/benchmark.py gem --device cuda --gem-images 16 --sam-model vit_b || status=$?
echo "gpu_check: done (status $status); rows in docs/benchmarks.md"
exit $status
