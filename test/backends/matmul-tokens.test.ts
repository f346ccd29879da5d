// The cpu-wasm backend's matmul (T tokens' products of one matrix) against its own matvec, one
// token at a time: bit for bit, for every weight type, with token counts that leave each
// remainder of the four-token products (matmul4_* in kernels.wat: F32, Q8_0, Q4_0) and of the
// row tiles, with column counts that reach F32's 4-wide and scalar tails, with and without
// bias, on every kernel variant this runtime has and on 1 and 2 threads. The reference is the
// one-token kernel that decoding runs, so prefill in blocks computes what decoding computes.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gaussian } from "../../engine/backends/random-inputs.ts";
import { createWasmKernels, type WasmKernels } from "../../engine/backends/wasm/kernels.ts";
import { availableKernelVariants, type KernelVariant } from "../../engine/backends/wasm/module.ts";
import type { Matrix } from "../../engine/model/weights.ts";
import { quantizedMatrix } from "./quantized-matrix.ts";

const VARIANTS: KernelVariant[] = availableKernelVariants();
const backends: [string, WasmKernels][] = [];
beforeAll(async () => {
  for (const variant of VARIANTS) {
    backends.push([`${variant} 1 thread`, await createWasmKernels({ threads: 1, variant })]);
    backends.push([`${variant} 2 threads`, await createWasmKernels({ threads: 2, variant, minParallelBytes: 0, spinMicros: 50 })]);
  }
});
afterAll(async () => {
  for (const [, k] of backends.splice(0)) await k.close();
});

/** [type, rows, cols]: F32 with cols of every tail (16-wide only, 4-wide, scalar), the blocked types at one and several blocks. */
const SHAPES: [string, number, number][] = [
  ["f32", 13, 64],
  ["f32", 7, 100],
  ["f32", 5, 37],
  ["f32", 3, 3],
  ["f32", 600, 64], // several row tiles
  ["q8_0", 13, 32],
  ["q8_0", 9, 576],
  ["q8_0", 300, 128],
  ["q4_0", 13, 32],
  ["q4_0", 9, 576],
  ["q4_0", 300, 128],
  ["q4_k", 5, 256],
  ["q6_k", 5, 256],
];

const matrix = (type: string, rows: number, cols: number, seed: number): Matrix => {
  const values = gaussian(rows * cols, seed);
  return type === "f32" ? { kind: "f32", name: "w.f32", rows, cols, data: values } : quantizedMatrix(type as "q8_0", rows, cols, values);
};

/** First indices where two arrays differ bit for bit. */
function bitDifferences(observed: Float32Array, expected: Float32Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < expected.length && out.length < 3; i++) if (!Object.is(observed[i], expected[i])) out.push(`[${i}] ${observed[i]} != ${expected[i]}`);
  return out;
}

describe.each(SHAPES)("%s %i x %i", (type, rows, cols) => {
  it("matmul over 1 to 9 tokens, with and without bias, equals matvec token by token bit for bit", () => {
    const w = matrix(type, rows, cols, rows * 31 + cols);
    const bias = gaussian(rows, 3);
    for (const [label, k] of backends) {
      for (let tokens = 1; tokens <= 9; tokens++) {
        const xs = gaussian(tokens * cols, tokens + 100);
        for (const b of [null, bias]) {
          const observed = new Float32Array(tokens * rows);
          k.matmul?.(w, xs, observed, tokens, b);
          const expected = new Float32Array(tokens * rows);
          for (let t = 0; t < tokens; t++) k.matvec(w, xs.subarray(t * cols, (t + 1) * cols), expected.subarray(t * rows, (t + 1) * rows), b);
          expect(bitDifferences(observed, expected), `${label}, ${tokens} tokens, bias ${b !== null}`).toEqual([]);
        }
      }
    }
  });
});
