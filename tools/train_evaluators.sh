#!/usr/bin/env bash
# Train the recognizers that grade SR output in Table 1 (TextZoom's CRNN, MORAN, ASTER; MMOCR's CRNN, ASTER), one
# after another, and publish each into checkpoints/ (fp16 state dict). A rerun after a kill resumes the unfinished
# one from its last checkpoint (every 500 iterations) and skips the finished ones.
#
#   bash tools/train_evaluators.sh [NAME ...]      # default: all five, in the order below
#
# NAME is a config under configs/recognizers/evaluators/ without .py. Data: EVALUATOR_WORDS_ROOT (default
# data/evaluator_words), made with the command in configs/recognizers/evaluators/_base_evaluator_synthetic.py.
# Environment: PY (default .venv/bin/python), WORK (default work_dirs/evaluators), EXTRA (more train options).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
WORK="${WORK:-work_dirs/evaluators}"
ALL=(crnn_w0.5_evaluator mmocr_crnn_w0.5_evaluator moran_w0.375_evaluator aster_w0.25_evaluator
     mmocr_aster_w0.25_evaluator)
NAMES=("${@:-${ALL[@]}}")
for name in "${NAMES[@]}"; do
  cfg="configs/recognizers/evaluators/$name.py"
  [[ -f "$cfg" ]] || { echo "no config $cfg (names: ${ALL[*]})" >&2; exit 2; }
  max_iters="$("$PY" -c "from mmengine.config import Config; print(Config.fromfile('$cfg').train_cfg.max_iters)")"
  final="$WORK/$name/iter_$max_iters.pth"
  if [[ -f "$final" ]]; then
    echo "[evaluators] $name: finished ($final)"
  else
    echo "[evaluators] $name: training to iteration $max_iters (log in $WORK/$name/)"
    # shellcheck disable=SC2086
    "$PY" tools/train_recognizer.py "$cfg" --work-dir "$WORK/$name" --resume ${EXTRA:-}
  fi
  case "$name" in
    mmocr_*) select=() ;;  # MMOCR's own checkpoint layout: the model's state dict as it is
    *) select=(--select recognizer.) ;;  # the recognizer's reference layout under recognizer.
  esac
  "$PY" tools/model_converters/publish_checkpoint.py "$final" "checkpoints/$name.pth" --fp16 "${select[@]}"
done
