#!/usr/bin/env bash
# One-command set-up of the pinned glyphsr_mm environment (see README.md "Install").
#
#   bash tools/setup_env.sh            # creates/updates ./.venv
#   GLYPHSR_USE_ACTIVE_ENV=1 bash tools/setup_env.sh   # installs into the active Python instead
#
# Steps: venv -> torch -> build tools -> mmcv 2.0.1 with compiled ops (built once from its source release,
# cached outside the repo keyed by Python/torch/CUDA) -> pinned OpenMMLab stack -> glyphsr_mm (editable)
# -> environment report. Idempotent: a second run with a warm cache rebuilds nothing.
#
# Environment variables:
#   GLYPHSR_VENV            venv folder (default: <repo>/.venv)
#   GLYPHSR_USE_ACTIVE_ENV  1: use the python on PATH, do not create a venv
#   GLYPHSR_CACHE           cache root for built wheels (default: ~/.cache/glyphsr_mm)
#   GLYPHSR_PYTHON          interpreter used to create the venv (default: python3.11, else python3)
#   GLYPHSR_EXTRAS          extras of glyphsr_mm to install (default: eval,dev)
#   MAX_JOBS                parallel compile jobs for mmcv (default: nproc)
#   GLYPHSR_CUDA            1: build mmcv's CUDA ops (no GPU needed); 0: CPU ops only; unset: CUDA ops when torch
#                           sees a GPU and a CUDA toolkit is installed
#   TORCH_CUDA_ARCH_LIST    GPU architectures of the CUDA build (default: 8.0;9.0, i.e. A100 and H100)
#   GLYPHSR_CUDA_TOOLKIT    where nvcc comes from: auto (default: $CUDA_HOME, nvcc on PATH, /usr/local/cuda, else
#                           NVIDIA's pip packages) or pip (NVIDIA's pip packages, installed into the environment)
#   GLYPHSR_SETUP_PLAN      1: print which mmcv variant would be built (cache key, toolkit) after the torch step, exit
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${GLYPHSR_VENV:-$ROOT/.venv}"
CACHE="${GLYPHSR_CACHE:-$HOME/.cache/glyphsr_mm}"
EXTRAS="${GLYPHSR_EXTRAS:-eval,dev}"
MMCV_VERSION=2.0.1
STEP="start"
T0=$(date +%s)

log() { printf '[setup %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
fail_hint() {
  local rc=$?
  echo "" >&2
  echo "[setup] FAILED at step: $STEP (exit code $rc)" >&2
  case "$STEP" in
    venv) echo "  -> Python 3.11 with the venv module is needed (apt-get install python3-venv, or set GLYPHSR_PYTHON)." >&2 ;;
    torch) echo "  -> pip could not install torch/torchvision from requirements/torch.txt; check the package index and disk space." >&2 ;;
    mmcv-download) echo "  -> pip could not fetch the mmcv==$MMCV_VERSION source release (pip download --no-binary mmcv)." >&2 ;;
    mmcv-build) echo "  -> compiling mmcv ops failed; see the compiler output above. A C++20 compiler (gcc >= 10) is needed;" >&2
                echo "     the log of the build is in $CACHE/mmcv-build.log. Remove $CACHE/src to retry from a clean source." >&2 ;;
    stack) echo "  -> pip could not install the pinned OpenMMLab stack (requirements/runtime.txt)." >&2 ;;
    package) echo "  -> pip install -e . failed; check setup.py." >&2 ;;
    report) echo "  -> the environment installed but an import failed; see the report above and README 'Troubleshooting'." >&2 ;;
  esac
  exit "$rc"
}
trap fail_hint ERR

# ---------------------------------------------------------------- 1. interpreter / venv
STEP=venv
if [[ "${GLYPHSR_USE_ACTIVE_ENV:-0}" == "1" ]]; then
  PY="$(command -v python)"
  log "using the active environment: $PY"
else
  if [[ ! -x "$VENV/bin/python" ]]; then
    BASE_PY="${GLYPHSR_PYTHON:-$(command -v python3.11 || command -v python3)}"
    log "creating venv $VENV with $BASE_PY"
    "$BASE_PY" -m venv "$VENV"
  fi
  PY="$VENV/bin/python"
fi
PIP=("$PY" -m pip --disable-pip-version-check)
export PIP_PROGRESS_BAR=off
# Some machines list local file:// indexes that lack most packages; pip warns once per package. Drop that noise.
pip_() { "${PIP[@]}" "$@" 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2); }
pyver="$("$PY" -c 'import sys; print(f"py{sys.version_info[0]}{sys.version_info[1]}")')"

have() { "$PY" - "$@" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    ok = all(version(n) == v for n, v in (a.split('==') for a in sys.argv[1:]))
except PackageNotFoundError:
    ok = False
sys.exit(0 if ok else 1)
EOF
}

# ---------------------------------------------------------------- 2. torch
STEP=torch
if have torch==2.14.1 torchvision==0.29.1; then
  log "torch 2.14.1 / torchvision 0.29.1 already installed"
else
  log "installing torch (requirements/torch.txt)"
  pip_ install -q -r requirements/torch.txt
fi
pip_ install -q -r requirements/build.txt

# ---------------------------------------------------------------- 3. mmcv with ops (cached wheel)
STEP=mmcv-download
read -r torchver torchcuda gpu <<<"$("$PY" -c '
import torch
print(torch.__version__.split("+")[0], torch.version.cuda or "none", int(torch.cuda.is_available()))')"
find_cuda_home() {  # a folder with bin/nvcc and include/cuda_runtime.h, or nothing
  local nvcc cand
  nvcc="$(command -v nvcc || true)"
  for cand in "${CUDA_HOME:-}" ${nvcc:+"$(dirname "$(dirname "$(readlink -f "$nvcc")")")"} /usr/local/cuda; do
    if [[ -n "$cand" && -x "$cand/bin/nvcc" && -f "$cand/include/cuda_runtime.h" ]]; then echo "$cand"; return; fi
  done
}
BUILD_CUDA=0
case "${GLYPHSR_CUDA:-}" in
  1) BUILD_CUDA=1 ;;
  0) ;;
  "") if [[ "$gpu" == 1 ]]; then
        if [[ -n "$(find_cuda_home)" ]]; then BUILD_CUDA=1
        else log "GPU visible but no CUDA toolkit: building CPU ops only (GLYPHSR_CUDA=1 fetches NVIDIA's nvcc from pip)"; fi
      fi ;;
  *) echo "[setup] GLYPHSR_CUDA must be 0 or 1, got '$GLYPHSR_CUDA'" >&2; exit 2 ;;
esac
if [[ "$BUILD_CUDA" == 1 ]]; then
  if [[ "$torchcuda" == none ]]; then
    echo "[setup] GLYPHSR_CUDA=1 but torch $torchver is a CPU build: install a CUDA build of torch first" >&2; exit 2
  fi
  ARCHS="${TORCH_CUDA_ARCH_LIST:-8.0;9.0}"
  cudatag="cu${torchcuda//./}-sm$(echo "$ARCHS" | tr -d '.' | tr ' ;' '__')"
else
  cudatag=cpu
fi
KEY="mmcv-${MMCV_VERSION}-${pyver}-torch${torchver}-${cudatag}"
WHEEL_DIR="$CACHE/wheels/$KEY"
if [[ "${GLYPHSR_SETUP_PLAN:-0}" == 1 ]]; then
  echo "[plan] mmcv variant: $cudatag (cache key $KEY)"
  if [[ "$BUILD_CUDA" == 1 ]]; then
    home=""
    [[ "${GLYPHSR_CUDA_TOOLKIT:-auto}" == pip ]] || home="$(find_cuda_home)"
    if [[ -n "$home" ]]; then echo "[plan] CUDA toolkit: $home ($("$home/bin/nvcc" --version | tail -1))"
    else echo "[plan] CUDA toolkit: NVIDIA's pip packages nvidia-cuda-nvcc==${torchcuda}.* (and nvvm, crt, cccl, runtime)"; fi
    echo "[plan] TORCH_CUDA_ARCH_LIST=$ARCHS"
  fi
  ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1 && echo "[plan] cached wheel: $(ls "$WHEEL_DIR"/mmcv-*.whl)" \
    || echo "[plan] no cached wheel: would build from source"
  exit 0
fi
# The CUDA toolchain of the build: nvcc and the CUDA headers. A machine without a toolkit gets NVIDIA's pip packages
# (for torch's CUDA version) in the environment; CUDA_HOME then is their folder. torch's ATen CUDA headers include
# cuBLAS/cuSPARSE/cuSOLVER headers, which a bare toolkit lacks and torch's own nvidia packages have.
cuda_toolchain() {
  local site home
  site="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  home=""
  [[ "${GLYPHSR_CUDA_TOOLKIT:-auto}" == pip ]] || home="$(find_cuda_home)"
  if [[ -z "$home" ]]; then
    local v="${torchcuda}.*"
    log "no CUDA toolkit found: installing NVIDIA's nvcc $v from pip into the environment"
    pip_ install -q "nvidia-cuda-nvcc==$v" "nvidia-nvvm==$v" "nvidia-cuda-crt==$v" "nvidia-cuda-cccl==$v" \
      "nvidia-cuda-runtime==$v"
    home="$(dirname "$(dirname "$(ls "$site"/nvidia/cu*/bin/nvcc | head -1)")")"
    # The runtime package ships libcudart.so.<major> only; torch's extension build links -lcudart.
    local so
    for so in "$home"/lib/libcudart.so.[0-9]*; do
      [[ -e "$home/lib/libcudart.so" ]] || ln -s "$(basename "$so")" "$home/lib/libcudart.so"
    done
  fi
  export CUDA_HOME="$home" PATH="$home/bin:$PATH"
  local inc
  inc="$(ls -d "$site"/nvidia/cu*/include 2>/dev/null | head -1)"
  if [[ -n "$inc" ]]; then
    export CPATH="$inc${CPATH:+:$CPATH}" NVCC_APPEND_FLAGS="-I$inc ${NVCC_APPEND_FLAGS:-}"
  fi
  export TORCH_CUDA_ARCH_LIST="$ARCHS"
  log "CUDA toolchain: $("$CUDA_HOME/bin/nvcc" --version | tail -1) at $CUDA_HOME; arch list $ARCHS"
}
# The installed mmcv must also be the wanted variant: CUDA kernels for a CUDA build, none needed for a CPU build.
mmcv_ops_ok() { "$PY" -c 'import sys, mmcv, mmcv.ops; from mmcv.ops import ModulatedDeformConv2d, get_compiling_cuda_version
assert mmcv.__version__ == "'"$MMCV_VERSION"'"
sys.exit(0 if ('"$BUILD_CUDA"' == 0 or get_compiling_cuda_version() != "not available") else 1)' >/dev/null 2>&1; }
if mmcv_ops_ok; then
  log "mmcv $MMCV_VERSION with ops already installed"
else
  if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
    log "no cached mmcv wheel for $KEY: building from source (7 to 15 min on 2 cores for CPU ops, about 15 more per CUDA arch)"
    SRC="$CACHE/src"
    mkdir -p "$SRC" "$WHEEL_DIR"
    if [[ ! -f "$SRC/mmcv-$MMCV_VERSION/setup.py" ]]; then
      pip_ download -q --no-deps --no-binary mmcv --no-build-isolation -d "$SRC" "mmcv==$MMCV_VERSION"
      tar -xzf "$SRC/mmcv-$MMCV_VERSION.tar.gz" -C "$SRC"
    fi
    STEP=mmcv-build
    # torch >= 2.x headers need C++17+; 2.14 needs C++20. mmcv 2.0.1 hard-codes -std=c++14.
    sed -i 's/-std=c++14/-std=c++20/g' "$SRC/mmcv-$MMCV_VERSION/setup.py"
    if [[ "$BUILD_CUDA" == 0 ]]; then export FORCE_CUDA=0 MMCV_WITH_OPS=1; else cuda_toolchain; export FORCE_CUDA=1 MMCV_WITH_OPS=1; fi
    # A clean tree: objects of an earlier build (another variant) must not be linked into this one.
    rm -rf "$SRC/mmcv-$MMCV_VERSION/build"
    export MAX_JOBS="${MAX_JOBS:-$(nproc)}" CFLAGS="${CFLAGS:--g0}" CXXFLAGS="${CXXFLAGS:--g0}"
    log "compiling mmcv ops ($cudatag, MAX_JOBS=$MAX_JOBS); log: $CACHE/mmcv-build.log"
    (cd "$SRC/mmcv-$MMCV_VERSION" && "${PIP[@]}" wheel --no-build-isolation --no-deps -w "$WHEEL_DIR.tmp" . ) \
      >"$CACHE/mmcv-build.log" 2>&1 || { tail -40 "$CACHE/mmcv-build.log" >&2; false; }
    mv "$WHEEL_DIR.tmp"/mmcv-*.whl "$WHEEL_DIR"/ && rmdir "$WHEEL_DIR.tmp"
    log "cached $(ls "$WHEEL_DIR"/mmcv-*.whl)"
  else
    log "reusing cached wheel $(ls "$WHEEL_DIR"/mmcv-*.whl)"
  fi
  STEP=mmcv-build
  # mmcv's own dependencies first (pinned as in requirements/runtime.txt), then the wheel without resolving.
  pip_ install -q addict yapf pyyaml Pillow $(grep -E '^(mmengine|opencv-python|numpy)' requirements/runtime.txt)
  pip_ install -q --no-deps --force-reinstall "$WHEEL_DIR"/mmcv-*.whl
fi

# ---------------------------------------------------------------- 4. pinned stack + package
STEP=stack
STAMP="$("$PY" -c 'import sys' && cat requirements/*.txt setup.py | sha256sum | cut -c1-16)-$EXTRAS"
STAMP_FILE="$("$PY" -c 'import sys; print(sys.prefix)')/.glyphsr_mm_stamp"
if [[ -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$STAMP" ]] && "$PY" -c 'import mmagic, mmocr, glyphsr_mm' >/dev/null 2>&1; then
  log "pinned stack and glyphsr_mm already installed (requirements unchanged)"
else
  log "installing the pinned OpenMMLab stack and glyphsr_mm[$EXTRAS]"
  # The constraint keeps pip from replacing the compiled mmcv with a PyPI build.
  echo "mmcv==$MMCV_VERSION" >"$CACHE/mmcv-constraint.txt"
  STEP=package
  pip_ install -q --no-build-isolation -c "$CACHE/mmcv-constraint.txt" -c requirements/torch.txt -e ".[${EXTRAS}]"
  echo "$STAMP" >"$STAMP_FILE"
fi

# ---------------------------------------------------------------- 5. report
STEP=report
"$PY" -m glyphsr_mm.cli.collect_env
log "done in $(( $(date +%s) - T0 )) s. Python: $PY"
