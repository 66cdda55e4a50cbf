#!/usr/bin/env bash
# The GPU check in one call (glyphsr_mm/cli/gpu_check.py), under 8 minutes on an H100: the CUDA-marked tests, the
# deformable conv mmcv vs torchvision on CUDA, GlyphSR and Baseline1 training steps at batch 48 (fp32, bf16
# autocast), GEM vit_b images/s (fp32, bf16), the CRNN/MORAN/ASTER evaluators' images/s: one markdown table.
#
#   bash tools/gpu_check.sh [--dry-run] [--out DIR]
#
#   --dry-run  the same steps on CPU at tiny sizes (make test runs it)
#   --out DIR  where gpu_check.md / gpu_check.json go (default: $OUT, else work_dirs/gpu_check)
#
# Python: .venv/bin/python where `make setup` made one, else python3. On the lent GPU machine (its own Python and
# torch, no network), carry the bundle of tools/make_gpu_bundle.sh (.gpu_bundle): its site directory is unpacked
# into /tmp/glyphsr_site (offline), and mmcv is compiled from its source release for the device's torch, CUDA kernels for the
# device's GPU only, on all cores (GLYPHSR_MMCV_BUILD_TIMEOUT, default 300 s). Where that fails, mmcv is built
# with CPU ops only: CUDA inputs then go to torchvision's deformable conv and the mmcv rows say 'missing'.
# Exit status: 0 when every step ran, 1 when one failed, 2 without a CUDA device (and no --dry-run).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ARGS=()
DRY=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dry-run) DRY=1; ARGS+=(--dry-run) ;;
        --out) ARGS+=(--out "$2"); shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "gpu_check: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
PY="${PY:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}"
export PYTHONUNBUFFERED=1 PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
BUNDLE="${GLYPHSR_GPU_BUNDLE:-$ROOT/.gpu_bundle}"
SITE=/tmp/glyphsr_site
log() { echo "gpu_check: $*"; }

if ! "$PY" -c 'import mmagic, mmocr, segment_anything' 2>/dev/null; then
    if [[ ! -f "$BUNDLE/site.tar.xz" ]]; then
        log "$PY lacks the OpenMMLab stack and there is no bundle at $BUNDLE (make one with tools/make_gpu_bundle.sh)" >&2
        exit 2
    fi
    log "unpacking the bundle's packages into $SITE (offline)"
    rm -rf "$SITE" && mkdir -p "$SITE" && tar -xJf "$BUNDLE/site.tar.xz" -C "$SITE" --strip-components=1 || exit 2
    export PYTHONPATH="$SITE:$PYTHONPATH"
fi
if ! "$PY" -c 'import mmcv.ops' 2>/dev/null; then
    src=$(ls "$BUNDLE"/mmcv-*.tar.gz 2>/dev/null | head -1)
    [[ -n "$src" ]] || { log "mmcv with ops is missing and the bundle has no mmcv source" >&2; exit 2; }
    rm -rf /tmp/mmcv_src /tmp/mmcv_whl && mkdir -p /tmp/mmcv_src && tar -xzf "$src" -C /tmp/mmcv_src
    dir=$(ls -d /tmp/mmcv_src/mmcv-*)
    # mmcv 2.0.1 hard-codes -std=c++14; torch's headers need C++17 or later (tools/setup_env.sh applies the same).
    sed -i 's/-std=c++14/-std=c++20/g' "$dir/setup.py"
    arch=$("$PY" -c 'import torch; print("%d.%d" % torch.cuda.get_device_capability())' 2>/dev/null || echo "")
    t0=$(date +%s)
    if [[ -n "$arch" && "$DRY" == 0 ]] && (cd "$dir" && FORCE_CUDA=1 MMCV_WITH_OPS=1 TORCH_CUDA_ARCH_LIST="$arch" \
            MAX_JOBS=$(nproc) timeout "${GLYPHSR_MMCV_BUILD_TIMEOUT:-300}" "$PY" -m pip wheel -q --no-build-isolation \
            --no-deps -w /tmp/mmcv_whl . >/tmp/mmcv_build.log 2>&1); then
        log "mmcv built with CUDA ops for sm_${arch/./} in $(( $(date +%s) - t0 )) s"
    else
        [[ -n "$arch" && "$DRY" == 0 ]] && { log "mmcv CUDA build failed or timed out; last lines:"; tail -5 /tmp/mmcv_build.log; }
        (cd "$dir" && rm -rf build && FORCE_CUDA=0 MMCV_WITH_OPS=1 MAX_JOBS=$(nproc) "$PY" -m pip wheel -q \
            --no-build-isolation --no-deps -w /tmp/mmcv_whl . >/tmp/mmcv_build.log 2>&1) \
            || { tail -20 /tmp/mmcv_build.log; exit 2; }
        log "mmcv built with CPU ops only in $(( $(date +%s) - t0 )) s"
    fi
    "$PY" -m pip install -q --no-index --no-deps --no-compile --target "$SITE" /tmp/mmcv_whl/mmcv-*.whl || exit 2
    export PYTHONPATH="$SITE:$PYTHONPATH"
fi
exec "$PY" -m glyphsr_mm.cli.gpu_check "${ARGS[@]}"
