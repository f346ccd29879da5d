#!/usr/bin/env bash
# Rebuilds the tiny model zoo from nothing: corpus -> tokenizers -> four trainings, two at a
# time (one thread each; steps per model in configs.STEPS) -> variants (scripts/zoo/variants.py)
# -> manifest. About 40 minutes on two cores.
# The weights are committed: rebuilding changes their bits (BLAS kernels differ between
# machines), so after a rebuild the oracles must be regenerated with `pnpm oracle --all`.
# Never run in CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
PY=${PYTHON:-/usr/bin/python3}
if ! "$PY" -c "import torch, regex, jinja2" 2>/dev/null; then
  echo "zoo: $PY cannot import torch, regex and jinja2." >&2
  echo "  install: sudo apt-get install --no-install-recommends python3-torch python3-regex python3-jinja2 libopenblas0-pthread" >&2
  echo "  (python3-sentencepiece too, to check tokenizer.model against Google's sentencepiece)" >&2
  exit 1
fi
BUILD=models/cache/zoo-build
"$PY" scripts/zoo/corpus.py --out "$BUILD"
"$PY" scripts/zoo/bpe.py --corpus "$BUILD/tokenizer.txt" --out-root models/zoo
"$PY" scripts/zoo/spm.py --corpus "$BUILD/tokenizer-spm.txt" --out models/zoo/tiny-llama-spm
train_pair() {
  local pids=() status=0
  for slug in "$@"; do
    echo "zoo: training $slug (log: $BUILD/$slug.out)"
    "$PY" scripts/zoo/train.py --model "$slug" --build-dir "$BUILD" >"$BUILD/$slug.out" 2>&1 &
    pids+=("$!")
  done
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
  if [ "$status" -ne 0 ]; then
    echo "zoo: a training failed; see $BUILD/*.out" >&2
    exit 1
  fi
}
train_pair tiny-llama tiny-qwen2
train_pair tiny-gpt2 tiny-llama-spm
"$PY" scripts/zoo/variants.py
"$PY" scripts/zoo/manifest.py
echo "zoo: done. Regenerate the oracles: pnpm oracle --all"
