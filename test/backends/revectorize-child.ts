// Child process of revectorize.test.ts: the revec kernels' products over fixed inputs, printed as
// the hex of their float32 bits, on stderr (V8's trace writes to stdout). Run with --no-liftoff,
// so that each function compiles (lazily, on its first call) straight to TurboFan under the
// revectorization flag of that moment; with "off", the flag is cleared after the backend starts
// and before any kernel runs. A third argument, "f32:matvec" for example, runs that product alone
// ("q4_0:matmul8": the eight-token product, matmul over eight tokens).

import { setFlagsFromString } from "node:v8";
import { createWasmKernels } from "../../engine/backends/wasm/kernels.ts";
import { gaussian } from "../../engine/backends/random-inputs.ts";
import type { Matrix } from "../../engine/model/weights.ts";
import { quantizedMatrix } from "./quantized-matrix.ts";

const SHAPES: [string, number, number][] = [
  ["f32", 7, 100],
  ["f32", 64, 576],
  ["q8_0", 9, 576],
  ["q8_0", 64, 128],
  ["q4_0", 9, 576],
  ["q4_0", 64, 128],
];
const [mode, only] = process.argv.slice(2);
const [onlyType, onlyOp] = only ? only.split(":") : [];

const k = await createWasmKernels({ threads: 1, variant: "revec" });
if (mode === "off") {
  setFlagsFromString("--no-experimental-wasm-revectorize");
  process.stderr.write("revectorization off\n");
}
const hex = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");
for (const [type, rows, cols] of SHAPES) {
  if (onlyType && (type !== onlyType || rows !== 64)) continue;
  const values = gaussian(rows * cols, rows + cols);
  const w: Matrix = type === "f32" ? { kind: "f32", name: "w", rows, cols, data: values } : quantizedMatrix(type as "q8_0" | "q4_0", rows, cols, values);
  // nine tokens: Q4_0's eight-token product, then one; f32's and Q8_0's four-token ones twice
  const tokens = onlyOp === "matmul8" ? 8 : onlyOp ? 4 : 9;
  const xs = gaussian(tokens * cols, 7);
  const one = new Float32Array(rows);
  if (!onlyOp?.startsWith("matmul")) k.matvec(w, xs.subarray(0, cols), one, null);
  const all = new Float32Array(tokens * rows);
  if (onlyOp !== "matvec") k.matmul?.(w, xs, all, tokens, null);
  process.stderr.write(`product ${type} ${rows}x${cols} ${hex(one)} ${hex(all)}\n`);
}
await k.close();
