#!/usr/bin/env bash
# Packs what a GPU machine without Node.js and without network needs to run the CUDA backend's
# tests and bench: this machine's node binary and the installed node_modules that vitest, tsx
# and koffi need (pnpm's layout kept: the root links and their .pnpm entries, nothing else),
# xz-compressed into .carry/refute-node.tar.xz (.carry/ is git-ignored; the device tool's
# `carry` takes it along). scripts/gpu/run-on-gpu.sh unpacks it there.
# The machine that packs must be x86-64 Linux like the GPU machines (node and esbuild are native).
#   usage: scripts/gpu/pack-carry.sh         (prints the size; the device tool allows 64 MiB with the tree)
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ "$(uname -m)" == x86_64 ]] || { echo "pack-carry: this machine is $(uname -m); the GPU machines are x86_64" >&2; exit 2; }
[[ -d node_modules/.pnpm ]] || { echo "pack-carry: node_modules/.pnpm missing: run pnpm install first" >&2; exit 2; }
roots=(vitest tsx koffi)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# every .pnpm entry reachable from the roots through dependencies that are installed
node --input-type=module - "${roots[@]}" >"$stage/entries" <<'EOF'
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join, relative, sep } from "node:path";
const store = realpathSync("node_modules/.pnpm");
const entries = new Set();
const visit = (link) => {
  if (!existsSync(link)) return; // an optional dependency that is not installed
  const real = realpathSync(link);
  const entry = relative(store, real).split(sep)[0];
  if (entries.has(entry)) return;
  entries.add(entry);
  const pkg = JSON.parse(readFileSync(join(real, "package.json"), "utf8"));
  const deps = { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies };
  for (const name of Object.keys(deps)) visit(join(store, entry, "node_modules", name));
};
for (const root of process.argv.slice(2)) visit(join("node_modules", root));
console.log([...entries].sort().join("\n"));
EOF
{
  for r in "${roots[@]}"; do echo "node_modules/$r"; done
  sed 's|^|node_modules/.pnpm/|' "$stage/entries"
} >"$stage/list"

mkdir -p "$stage/.carry/bin"
cp "$(command -v node)" "$stage/.carry/bin/node"
mkdir -p .carry
# types, sources maps, docs and other platforms' prebuilt binaries do not run
tar -cf - --exclude='*.map' --exclude='*.d.ts' --exclude='*.d.mts' --exclude='*.d.cts' --exclude='*.md' \
  --exclude='node_modules/.pnpm/koffi@*/node_modules/koffi/vendor' \
  --exclude='node_modules/.pnpm/koffi@*/node_modules/koffi/doc' \
  -T "$stage/list" -C "$stage" .carry/bin/node | xz -9 -T2 >.carry/refute-node.tar.xz.tmp
mv .carry/refute-node.tar.xz.tmp .carry/refute-node.tar.xz
echo "pack-carry: .carry/refute-node.tar.xz $(du -b .carry/refute-node.tar.xz | cut -f1) bytes ($(wc -l <"$stage/entries") packages, node $(node --version))"
