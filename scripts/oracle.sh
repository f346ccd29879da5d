#!/usr/bin/env bash
# Regenerates the oracles outside the engine: `pnpm oracle --all`, `pnpm oracle --model <slug>`,
# or `pnpm oracle --model <HF directory> --out <oracle dir>` for a checkpoint of your own.
# --all also records the reference's bfloat16 and float16 runs under oracle/precision/.
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
if [ "$all" -eq 1 ] && [ ${#shared[@]} -eq 0 ]; then
  # the reference's own reduced-precision runs (runtime `reference`, claims/precision.yaml):
  # the seed's prompts on the four seed-shaped models, top-10 only (no distributions files)
  for precision in bfloat16 float16; do
    "$PY" scripts/gen_oracle.py --model tiny-llama --model tiny-qwen2 --model tiny-gpt2 --model tiny-llama-spm \
      --precision "$precision" --prompt arithmetic --prompt completion --prompt code --prompt greeting \
      --no-distributions --out "oracle/precision/$precision" "${runtime[@]+"${runtime[@]}"}"
  done
fi
