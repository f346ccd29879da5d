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
  ["q4_0", 5, 480], // 15 blocks: matvec_q4_0's four pairs at a time, three single pairs, a last block
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

describe("matmuls(): several weights of one input (q, k and v; gate and up)", () => {
  // the activation formats: Q8_0 and Q4_0 share quantize_q8_0's, Q4_K and Q6_K quantize_q8_k's, F32 none
  const types = ["q8_0", "q4_k", "f32", "q4_0", "q6_k"];
  const rows = [7, 5, 9, 3, 4];
  const cols = 256;
  const ws = types.map((type, i) => matrix(type, rows[i], cols, 40 + i));

  it("each output bit for bit the matvec of its weight, token by token, with mixed formats and biases", () => {
    const biases = rows.map((r, i) => (i % 2 === 0 ? gaussian(r, 7 + i) : null));
    for (const [label, k] of backends) {
      for (const tokens of [2, 5, 9]) {
        const xs = gaussian(tokens * cols, tokens + 200);
        const observed = rows.map((r) => new Float32Array(tokens * r));
        k.matmuls?.(ws, xs, observed, tokens, biases);
        ws.forEach((w, i) => {
          const expected = new Float32Array(tokens * rows[i]);
          for (let t = 0; t < tokens; t++) k.matvec(w, xs.subarray(t * cols, (t + 1) * cols), expected.subarray(t * rows[i], (t + 1) * rows[i]), biases[i]);
          expect(bitDifferences(observed[i], expected), `${label}, ${types[i]}, ${tokens} tokens`).toEqual([]);
        });
      }
    }
  });

  it("a token with a non-finite input: every token as matvec computes it (NaN where the quantized product has no value), on every thread", () => {
    for (const [label, k] of backends) {
      const tokens = 6;
      const xs = gaussian(tokens * cols, 300);
      xs[4 * cols + 17] = Number.NaN;
      const observed = rows.map((r) => new Float32Array(tokens * r));
      k.matmuls?.(ws, xs, observed, tokens, rows.map(() => null));
      ws.forEach((w, i) => {
        const expected = new Float32Array(tokens * rows[i]);
        for (let t = 0; t < tokens; t++) k.matvec(w, xs.subarray(t * cols, (t + 1) * cols), expected.subarray(t * rows[i], (t + 1) * rows[i]), null);
        expect(bitDifferences(observed[i], expected), `${label}, ${types[i]}`).toEqual([]);
        if (types[i] !== "f32") expect(Number.isNaN(observed[i][4 * rows[i]]), `${label}, ${types[i]}: token 4 has no quantized form`).toBe(true);
        expect(Number.isNaN(observed[i][0]), `${label}, ${types[i]}: token 0 is finite`).toBe(false);
      });
    }
  });
});
