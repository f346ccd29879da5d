#!/usr/bin/env bash
# Regenerates the oracles outside the engine: `pnpm oracle --all`, `pnpm oracle --model <slug>`,
# or `pnpm oracle --model <HF directory> --out <oracle dir>` for a checkpoint of your own.
# Arguments go to scripts/gen_oracle.py (--all, --model, --device, --precision, --runtime, --out).
# The perplexity ground truth (ppl/), the tokenizer vectors (tokenizer/) and the layer-by-layer
# reference trace of the `completion` prompt (<model>/completion.trace.*) are rewritten too:
# for every zoo model with --all, for the --model ones otherwise, under --out when given.
# On a machine with python3-torch and without transformers the committed perplexity and
# tokenizer files come back byte for byte, and the greedy files' tokens; their top-k
# log-probabilities depend on the BLAS kernels in the sixth decimal.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
PY=${PYTHON:-/usr/bin/python3}
if ! "$PY" -c "import torch, regex" 2>/dev/null; then
  echo "oracle: $PY cannot import torch and regex." >&2
  echo "  install: sudo apt-get install --no-install-recommends python3-torch python3-regex libopenblas0-pthread" >&2
  exit 1
fi
all=0
shared=()   # what gen_ppl.py and gen_tokenizer_vectors.py take too: --model, --out
runtime=()
prev=""
for arg in "$@"; do
  [ "$arg" = "--all" ] && all=1
  case "$prev" in
    --model | --out) shared+=("$prev" "$arg") ;;
    --runtime) runtime=(--runtime "$arg") ;;
  esac
  case "$arg" in
    --model=* | --out=*) shared+=("$arg") ;;
    --runtime=*) runtime=("$arg") ;;
  esac
  prev="$arg"
done
if [ "$all" -eq 1 ]; then
  # every zoo model: keep only --out
  kept=()
  for ((i = 0; i < ${#shared[@]}; i++)); do
    case "${shared[$i]}" in
      --out) kept+=(--out "${shared[$((i + 1))]}"); i=$((i + 1)) ;;
      --out=*) kept+=("${shared[$i]}") ;;
      --model) i=$((i + 1)) ;;
    esac
  done
  shared=("${kept[@]+"${kept[@]}"}")
fi
"$PY" scripts/gen_oracle.py "$@"
"$PY" scripts/gen_ppl.py "${shared[@]+"${shared[@]}"}" "${runtime[@]+"${runtime[@]}"}"
"$PY" scripts/gen_tokenizer_vectors.py "${shared[@]+"${shared[@]}"}"
"$PY" scripts/gen_trace.py "${shared[@]+"${shared[@]}"}" --prompt completion
