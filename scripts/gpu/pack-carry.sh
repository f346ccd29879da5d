#!/usr/bin/env bash
# Packs what a GPU machine without Node.js and without network needs to run the CUDA backend's
# tests and bench: this machine's node binary and the installed node_modules the run imports
# (carry-closure.mjs: the bare imports reachable from the CUDA tests, scripts/gpu/*.ts,
# vitest.config.ts and the gate runner, plus vitest and tsx, with their dependencies, without
# node-llama-cpp; pnpm's layout kept: the root
# links and their .pnpm entries, nothing else), xz-compressed into .carry/refute-node.tar.xz
# (.carry/ is git-ignored; the device tool's `carry` takes it along). scripts/gpu/run-on-gpu.sh
# unpacks it there. The machine that packs must be x86-64 Linux like the GPU machines (node and
# esbuild are native binaries).
#   usage: scripts/gpu/pack-carry.sh   (prints the size; the device tool allows 64 MiB with the tree)
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ "$(uname -m)" == x86_64 ]] || { echo "pack-carry: this machine is $(uname -m); the GPU machines are x86_64" >&2; exit 2; }
[[ -d node_modules/.pnpm ]] || { echo "pack-carry: node_modules/.pnpm missing: run pnpm install first" >&2; exit 2; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# bin/refute.mjs: the gate runner for the GPU claims; without llama.cpp (not needed by them, and large)
node scripts/gpu/carry-closure.mjs --without node-llama-cpp test/backends/cuda*.test.ts scripts/gpu/*.ts vitest.config.ts bin/refute.mjs >"$stage/entries" 2>"$stage/roots"
{
  sed 's|^|node_modules/|' "$stage/roots"
  sed 's|^|node_modules/.pnpm/|' "$stage/entries"
} >"$stage/list"

mkdir -p "$stage/.carry/bin" .carry
cp "$(command -v node)" "$stage/.carry/bin/node"
# types, source maps, docs and koffi's build headers do not run
tar -cf - --exclude='*.map' --exclude='*.d.ts' --exclude='*.d.mts' --exclude='*.d.cts' --exclude='*.md' \
  --exclude='node_modules/.pnpm/koffi@*/node_modules/koffi/vendor' --exclude='node_modules/.pnpm/koffi@*/node_modules/koffi/doc' \
  -T "$stage/list" -C "$stage" .carry/bin/node | xz -9 -T2 >.carry/refute-node.tar.xz.tmp
mv .carry/refute-node.tar.xz.tmp .carry/refute-node.tar.xz
echo "pack-carry: .carry/refute-node.tar.xz $(du -b .carry/refute-node.tar.xz | cut -f1) bytes (node $(node --version); $(wc -l <"$stage/entries") packages for $(paste -sd' ' "$stage/roots"))"
