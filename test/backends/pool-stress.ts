// Run by pool-stress.test.ts in a child process (a hang in Atomics.wait cannot be timed out from
// inside): the cpu-wasm pool with 2 threads runs small products of alternating chunk counts,
// while two busy threads take the cores so the pool's worker is preempted at random points.
// Prints one line, "tasks N wrong W", and exits 0; every result must equal the first run's bits.

import { Worker } from "node:worker_threads";
import { gaussian } from "../../engine/backends/random-inputs.ts";
import { createWasmKernels } from "../../engine/backends/wasm/kernels.ts";
import type { Matrix } from "../../engine/model/weights.ts";

const TASKS = Number(process.argv[2] ?? 1500000);
for (let i = 0; i < 2; i++) new Worker("for (;;) {}", { eval: true }).unref();
const kernels = await createWasmKernels({ threads: 2, minParallelBytes: 0, spinMicros: 5 });
// rows 3, 40, 2, 64: a task with many chunks follows one with few, the order that exposed the
// race; through matmul (one token), whose tasks are cut into four chunks per thread (a product's
// into one per thread): 3, 8, 2 and 8 chunks
const cases = [3, 40, 2, 64].map((rows, i) => {
  const cols = 64;
  const data = kernels.allocate?.(rows * cols) ?? new Float32Array(rows * cols);
  data.set(gaussian(rows * cols, i));
  const x = kernels.allocate?.(cols) ?? new Float32Array(cols);
  x.set(gaussian(cols, i + 9));
  const out = kernels.allocate?.(rows) ?? new Float32Array(rows);
  const w: Matrix = { kind: "f32", name: "w", rows, cols, data };
  kernels.matmul?.(w, x, out, 1, null);
  return { w, x, out, expected: Float32Array.from(out) };
});
let wrong = 0;
for (let t = 0; t < TASKS; t++) {
  const c = cases[t % cases.length];
  kernels.matmul?.(c.w, c.x, c.out, 1, null);
  for (let i = 0; i < c.out.length; i++) if (!Object.is(c.out[i], c.expected[i])) wrong++;
}
console.log(`tasks ${TASKS} wrong ${wrong}`);
process.exit(0);
