#!/usr/bin/env bash
# The CUDA backend's checks on a GPU machine that has no Node.js and no network (the device
# tool's machines): unpacks .carry/refute-node.tar.xz (a node binary and the node_modules that
# vitest, tsx and koffi need, made by scripts/gpu/pack-carry.sh on an ordinary machine), then
# runs the CUDA tests in GPU mode (REFUTE_GPU=1: a blocked parity check fails instead of
# reporting), the parity checks among them, the decode bench, and the GPU claims through the
# gate runner (suite parity and F-PERF-003), and writes everything under $OUT (default
# reports/tmp/gpu): summary.md, tests.log, parity.jsonl, cuda-junit.xml, bench.log, bench.json,
# gates.log, gates.md (eight files: the device tool's limit). Exits non-zero when a test failed,
# the bench could not run or a claim was falsified.
#   from the device tool: run(command: "bash scripts/gpu/run-on-gpu.sh", carry: [".carry"])
#   bash scripts/gpu/run-on-gpu.sh [tests|bench|gates]   (one part only; default all three)
set -uo pipefail
what=${1:-all}
cd "$(dirname "$0")/../.."
out=${OUT:-reports/tmp/gpu}
mkdir -p "$out"
summary=$out/summary.md
carry=.carry/refute-node.tar.xz
if [[ ! -f $carry ]]; then
  echo "run-on-gpu: $carry is missing: run scripts/gpu/pack-carry.sh on an ordinary machine and carry .carry" | tee "$summary" >&2
  exit 2
fi

tar -xJf "$carry" -C . || { echo "run-on-gpu: could not unpack $carry" | tee "$summary" >&2; exit 2; }
node=$PWD/.carry/bin/node
export PATH="$PWD/.carry/bin:$PATH"

{
  echo "# refute: CUDA backend on a GPU machine"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
  echo "- node: $("$node" --version 2>&1), nvcc: $(nvcc --version 2>/dev/null | sed -n 's/.*release \([0-9.]*\).*/\1/p' || echo none), cores: $(nproc)"
  echo "- probe: $("$node" node_modules/tsx/dist/cli.mjs scripts/gpu/probe.ts 2>&1 | tail -1)"
} >"$summary"

# 1. the CUDA tests: PTX, host side, parity (per-kernel NMSE, greedy tokens on the zoo and random models)
tests_rc=0
bench_rc=0
rm -f "$out/parity.jsonl"
if [[ $what == all || $what == tests ]]; then
  REFUTE_GPU=1 REFUTE_GPU_RESULTS=$out/parity.jsonl "$node" node_modules/vitest/vitest.mjs run test/backends/cuda \
    --reporter=default --reporter=junit --outputFile.junit="$out/cuda-junit.xml" 2>&1 | tee "$out/tests.log"
  tests_rc=${PIPESTATUS[0]}
fi

# 2. the decode bench (F-PERF-003: cuda faster than cpu-wasm on the SmolLM-135M shape)
if [[ $what == all || $what == bench ]]; then
  "$node" node_modules/tsx/dist/cli.mjs scripts/gpu/bench-cuda.ts --out "$out/bench.json" 2>&1 | tee "$out/bench.log"
  bench_rc=${PIPESTATUS[0]}
fi

# 3. the claims that need a GPU, through the gate runner: CPU/CUDA parity (greedy tokens on the
#    zoo, per-kernel NMSE; the cpu-wasm side of the NMSE claim runs too) and F-PERF-003 (cuda
#    decodes faster than cpu on the SmolLM-135M shape)
gates_rc=0
if [[ $what == all || $what == gates ]]; then
  "$node" bin/refute.mjs gates --strict --claim parity-cuda-greedy --claim parity-kernel-nmse --claim perf-cuda-faster-than-cpu --reports /tmp/refute-gates 2>&1 | tee "$out/gates.log"
  gates_rc=${PIPESTATUS[0]}
  cp /tmp/refute-gates/latest.md "$out/gates.md" 2>/dev/null
fi

{
  echo
  echo "## gates (exit $gates_rc)"
  echo
  grep -E "^(refute:|  parity|  perf|\[)" "$out/gates.log" 2>/dev/null | cut -c1-220 | sed 's/^/    /'
  echo
  echo "## tests (exit $tests_rc)"
  echo
  grep -E "^ *(Test Files|Tests) " "$out/tests.log" 2>/dev/null | sed 's/^ */- /'
  grep -E "^ *(FAIL|×) " "$out/tests.log" 2>/dev/null | head -40 | sed 's/^ */- /'
  if [[ -f $out/parity.jsonl ]]; then
    "$node" -e '
      const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
      for (const b of lines.filter((l) => l.verdict === "blocked")) console.log(`- parity: blocked: no CUDA device (${b.reason})`);
      const checks = lines.filter((l) => "nmse" in l);
      const over = checks.filter((c) => !(typeof c.nmse === "number" && c.nmse <= c.threshold));
      console.log(`- parity: ${checks.length} kernel checks, ${checks.filter((c) => c.identical).length} bit-identical to cpu-ts, ${over.length} over threshold`);
      for (const c of over) console.log(`  - [${c.op}] ${c.params}: NMSE = ${c.nmse} > ${c.threshold}`);
    ' "$out/parity.jsonl"
  fi
  echo
  echo "## bench (exit $bench_rc)"
  echo
  grep -E "^(tiny|smollm|F-PERF|bench-cuda|  cuda per token)" "$out/bench.log" 2>/dev/null | sed 's/^/    /'
} >>"$summary"
cat "$summary"
[[ $tests_rc -eq 0 && $bench_rc -eq 0 && $gates_rc -eq 0 ]]
