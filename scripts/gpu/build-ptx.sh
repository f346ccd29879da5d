#!/usr/bin/env bash
# Rebuilds engine/backends/cuda/kernels.ptx from kernels.cu with nvcc, then checks that the PTX
# assembles for sm_90 with ptxas. The PTX is committed (engine/backends/cuda/README.md says why):
# run this after every change to kernels.cu and commit both; test/backends/cuda-ptx.test.ts
# fails while they disagree.
#   usage: scripts/gpu/build-ptx.sh [--check]   (--check: build to a temporary file and compare)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=engine/backends/cuda
# --fmad=false: no FMA contraction, the arithmetic the CPU reference does (see kernels.cu)
flags=(-ptx -arch=sm_90 -O3 --fmad=false)
command -v nvcc >/dev/null || { echo "build-ptx: nvcc not found (CUDA toolkit 13.x expected on PATH)" >&2; exit 2; }
if [[ "${1:-}" == "--check" ]]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  nvcc "${flags[@]}" -o "$tmp/kernels.ptx" "$dir/kernels.cu"
  if cmp -s "$tmp/kernels.ptx" "$dir/kernels.ptx"; then echo "build-ptx: $dir/kernels.ptx is up to date"; exit 0; fi
  echo "build-ptx: $dir/kernels.ptx differs from what nvcc $(nvcc --version | sed -n 's/.*release \([0-9.]*\).*/\1/p') builds from kernels.cu: run scripts/gpu/build-ptx.sh and commit" >&2
  exit 1
fi
nvcc "${flags[@]}" -o "$dir/kernels.ptx" "$dir/kernels.cu"
if command -v ptxas >/dev/null; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  ptxas -arch=sm_90 -o "$tmp/kernels.cubin" "$dir/kernels.ptx"
  echo "build-ptx: $dir/kernels.ptx written ($(wc -c <"$dir/kernels.ptx") bytes), assembles for sm_90"
else
  echo "build-ptx: $dir/kernels.ptx written; ptxas not found, so not assembled" >&2
fi
