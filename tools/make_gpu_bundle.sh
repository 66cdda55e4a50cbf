#!/usr/bin/env bash
# Makes what the lent GPU machine lacks to run tools/gpu_check.sh, here (it has no network):
#   DEST/site.tar.xz  the wheels of requirements/gpu_bundle.txt for the machine's Python (default 3.12, manylinux
#                     x86-64), installed here into one site directory and xz-compressed: 10 MiB where the wheels
#                     themselves (zip-deflated) are 22 MiB, which with the tracked tree was over the carry limit
#   DEST/mmcv-2.0.1.tar.gz  mmcv's source release, compiled there by tools/gpu_check.sh for the device's torch
# and checks the limit on what travels with a device call (the tracked tree plus the bundle, 64 MiB).
#
#   bash tools/make_gpu_bundle.sh [DEST]        # DEST defaults to .gpu_bundle (git-ignored)
#   GPU_PYTHON_VERSION=3.12 bash tools/make_gpu_bundle.sh
#
# Then, on the device: carry DEST and run `bash tools/gpu_check.sh` (device tool: carry=[".gpu_bundle"]).
# Exit status: 0 when the bundle is complete and fits, 3 when it is complete but tree + bundle exceed the limit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DEST="${1:-.gpu_bundle}"
PYV="${GPU_PYTHON_VERSION:-3.12}"
PY="${PY:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}"
LIMIT_MIB=64
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$DEST" "$WORK/wheels"
rm -rf "$DEST/wheels"  # an older bundle's layout
platforms=()
for n in 17 24 27 28 31 34 35; do platforms+=(--platform "manylinux_2_${n}_x86_64"); done
platforms+=(--platform manylinux2014_x86_64 --platform manylinux1_x86_64)
echo "[bundle] wheels of requirements/gpu_bundle.txt for CPython $PYV"
"$PY" -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: --python-version "$PYV" \
    --implementation cp "${platforms[@]}" -d "$WORK/wheels" -r requirements/gpu_bundle.txt \
    2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
expected=$(grep -cE '^[A-Za-z]' requirements/gpu_bundle.txt)
got=$(ls "$WORK"/wheels/*.whl | wc -l)
[[ "$got" -ge "$expected" ]] || { echo "[bundle] only $got of $expected wheels downloaded" >&2; exit 1; }
echo "[bundle] installing them into one site directory -> $DEST/site.tar.xz"
"$PY" -m pip install -q --disable-pip-version-check --no-index --no-deps --no-compile --only-binary=:all: \
    --python-version "$PYV" --implementation cp "${platforms[@]}" --target "$WORK/site" "$WORK"/wheels/*.whl \
    2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
rm -rf "$WORK/site/bin"  # console scripts with this machine's interpreter path; the check does not use them
tar -C "$WORK" -cf - site | xz -9 -T0 > "$DEST/site.tar.xz"
echo "[bundle] mmcv 2.0.1 source release -> $DEST"
"$PY" -m pip download -q --disable-pip-version-check --no-deps --no-binary mmcv --no-build-isolation -d "$DEST" \
    mmcv==2.0.1 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
bundle=$(du -sb "$DEST" | cut -f1)
tree=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
echo "[bundle] $got packages (site.tar.xz) + mmcv source: $(mib "$bundle") MiB; tracked tree $(mib "$tree") MiB;" \
     "together $(mib $((bundle + tree))) MiB of the $LIMIT_MIB MiB a device call carries"
if (( bundle + tree > LIMIT_MIB * 1048576 )); then
    echo "[bundle] OVER THE LIMIT: the device call would be refused. Largest items:" >&2
    { ls -S -l "$DEST"/*; git ls-files -z | xargs -0 ls -S -l | head -5; } \
        | awk '{printf "  %8.1f MiB  %s\n", $5 / 1048576, $9}' >&2
    exit 3
fi
