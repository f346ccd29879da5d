// A worker thread of the cpu-wasm backend (plain JavaScript so that it loads without the
// TypeScript loader). It instantiates the kernel module over the shared memory and runs its
// share of each task the main thread posts in the control block (pool.ts describes it):
// spinning for a bounded time after each task, then sleeping in Atomics.wait until the next.

import { workerData } from "node:worker_threads";

const { module, memory, index, ops, layout, spinMicros } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const ctl = new Int32Array(memory.buffer, 0, layout.words);
const run = ops.map((name) => (name ? instance.exports[name] : null));
const { GEN, PENDING, OP, SLEEPERS, MAIN_WAITING, THREADS, SPLIT_AT, SCRATCH_STRIDE, NARGS, ARGS } = layout;

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
  const n = ctl[THREADS];
  const args = Array.from(ctl.subarray(ARGS, ARGS + ctl[NARGS]));
  const at = ctl[SPLIT_AT];
  const from = args[at];
  const total = args[at + 1] - from;
  args[at] = from + Math.floor((total * index) / n);
  args[at + 1] = from + Math.floor((total * (index + 1)) / n);
  if (ctl[SCRATCH_STRIDE] !== 0) args[args.length - 1] += index * ctl[SCRATCH_STRIDE];
  if (args[at + 1] > args[at]) run[op](...args);
  if (Atomics.sub(ctl, PENDING, 1) === 1 && Atomics.load(ctl, MAIN_WAITING) === 1) Atomics.notify(ctl, PENDING);
}
