// A worker thread of the cpu-wasm backend (plain JavaScript so that it loads without the
// TypeScript loader). It instantiates the kernel module over the shared memory and claims
// chunks of each task the main thread posts in the control block (pool.ts describes the
// protocol): spinning for a bounded time after each task, then sleeping in Atomics.wait.

import { workerData } from "node:worker_threads";

const { module, memory, index, ops, layout, spinMicros } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
instance.exports.set_thread(index);
const ctl = new Int32Array(memory.buffer, 0, layout.words);
const run = ops.map((name) => (name ? instance.exports[name] : null));
const { GEN, CLAIM, DONE, OP, SLEEPERS, MAIN_WAITING, CHUNKS, SPLIT_AT, SCRATCH_STRIDE, NARGS, ARGS, CHUNK_BITS, GEN_MASK } = layout;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

// One argument array per argument count, refilled for each task: Array.from over a view of the
// control block cost 230 ns a task, on the path from a task's posting to this thread's start.
const argArrays = [];
function argsOf(n) {
  const args = (argArrays[n] ??= new Array(n).fill(0));
  for (let i = 0; i < n; i++) args[i] = ctl[ARGS + i];
  return args;
}

let seen = 0; // the control block starts zeroed; a task posted before this thread ran is still seen
for (;;) {
  let gen = Atomics.load(ctl, GEN);
  if (gen === seen) {
    const start = performance.now();
    for (let spins = 0; gen === seen; spins++) {
      gen = Atomics.load(ctl, GEN);
      if ((spins & 1023) === 1023 && performance.now() - start > spinMicros / 1000) break;
    }
  }
  if (gen === seen) {
    Atomics.add(ctl, SLEEPERS, 1);
    Atomics.wait(ctl, GEN, seen);
    Atomics.sub(ctl, SLEEPERS, 1);
    continue;
  }
  seen = gen;
  const op = ctl[OP];
  if (op === 0) break;
  const chunks = ctl[CHUNKS];
  const args = argsOf(ctl[NARGS]);
  const at = ctl[SPLIT_AT];
  const from = args[at];
  const total = args[at + 1] - from;
  if (ctl[SCRATCH_STRIDE] !== 0) args[args.length - 1] += index * ctl[SCRATCH_STRIDE];
  const tag = gen & GEN_MASK;
  for (;;) {
    // a claim is valid only while the claim word still carries this task's generation, so a
    // thread that wakes late never runs a stale task
    const word = Atomics.load(ctl, CLAIM);
    const chunk = word & CHUNK_MASK;
    if (word >>> CHUNK_BITS !== tag || chunk >= chunks) break;
    if (Atomics.compareExchange(ctl, CLAIM, word, word + 1) !== word) continue;
    args[at] = from + Math.floor((total * chunk) / chunks);
    args[at + 1] = from + Math.floor((total * (chunk + 1)) / chunks);
    run[op](...args);
    if (Atomics.add(ctl, DONE, 1) + 1 === chunks && Atomics.load(ctl, MAIN_WAITING) === 1) Atomics.notify(ctl, DONE);
  }
}
