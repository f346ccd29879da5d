#!/usr/bin/env bash
# Regenerates the oracles outside the engine: `pnpm oracle --all` or `pnpm oracle --model <slug>`.
# Arguments go to scripts/gen_oracle.py (--all, --model, --device, --precision, --runtime, --out).
# With --all it also rewrites the perplexity ground truth (oracle/ppl/) and the tokenizer
# vectors (oracle/tokenizer/). On a machine with python3-torch and without transformers the
# committed files come back byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
PY=${PYTHON:-/usr/bin/python3}
if ! "$PY" -c "import torch, regex" 2>/dev/null; then
  echo "oracle: $PY cannot import torch and regex." >&2
  echo "  install: sudo apt-get install --no-install-recommends python3-torch python3-regex libopenblas0-pthread" >&2
  exit 1
fi
"$PY" scripts/gen_oracle.py "$@"
all=0
runtime=()
prev=""
for arg in "$@"; do
  [ "$arg" = "--all" ] && all=1
  [ "$prev" = "--runtime" ] && runtime=(--runtime "$arg")
  case "$arg" in --runtime=*) runtime=("$arg") ;; esac
  prev="$arg"
done
if [ "$all" -eq 1 ]; then
  "$PY" scripts/gen_ppl.py "${runtime[@]}"
  "$PY" scripts/gen_tokenizer_vectors.py
fi
