// Buggy kernels wrap whichever backend runs: the class-based cpu-wasm backend keeps its
// methods (and their private state) under the wrapper, and the wrapped kernel really runs.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareSource } from "../convert.ts";
import { hookedKernels, NO_HOOKS } from "../hooks.ts";
import { EngineModel } from "../model.ts";
import { cpuKernels } from "./cpu/kernels.ts";
import { withAdjacentPairRope, withGqaModuloHeads, withNormEpsilonIgnored, withSoftmaxNoMaxSubtraction } from "./faulty.ts";
import type { Kernels } from "./kernels.ts";
import { createWasmKernels, type WasmKernels } from "./wasm/kernels.ts";

const WRAPPERS: [string, (base: Kernels) => Kernels][] = [
  ["withAdjacentPairRope", withAdjacentPairRope],
  ["withSoftmaxNoMaxSubtraction", withSoftmaxNoMaxSubtraction],
  ["withGqaModuloHeads", withGqaModuloHeads],
  ["withNormEpsilonIgnored", withNormEpsilonIgnored],
];

let wasm: WasmKernels;
beforeAll(async () => {
  wasm = await createWasmKernels({ threads: 1 });
});
afterAll(() => wasm.close());

it("no kernels hook: the backend itself, unwrapped", () => {
  expect(hookedKernels(cpuKernels, NO_HOOKS)).toBe(cpuKernels);
  expect(hookedKernels(wasm, NO_HOOKS)).toBe(wasm);
});

describe.each(WRAPPERS)("%s", (_name, wrap) => {
  it("runs a whole generation on the cpu-wasm backend", () => {
    const model = new EngineModel(prepareSource("tiny-qwen2", "safetensors", "f32"), wasm, { kernels: wrap });
    expect(model.generate("3 + 4 =", 4, 1).tokens).toHaveLength(4);
  });
});

// tiny-qwen2: 4 query heads over 2 KV heads, split-halves RoPE; both bugs change every
// position's attention, so the first step's log-probabilities cannot stay the same.
describe.each(WRAPPERS.filter(([name]) => name === "withAdjacentPairRope" || name === "withGqaModuloHeads"))("%s changes the distribution", (_name, wrap) => {
  it.each([
    ["cpu-ts", () => cpuKernels],
    ["cpu-wasm", () => wasm],
  ])("on %s", (_backend, kernels) => {
    const source = prepareSource("tiny-qwen2", "safetensors", "f32");
    const clean = new EngineModel(source, kernels()).generate("3 + 4 =", 1, 5).topk[0];
    const faulty = new EngineModel(source, kernels(), { kernels: wrap }).generate("3 + 4 =", 1, 5).topk[0];
    expect(faulty).not.toEqual(clean);
  });
});

// The definition, computed independently in float64: head h attends over kv head h % kvHeads
// with scores q.k / sqrt(headDim).
function moduloAttention64(q: Float32Array, keys: Float32Array, values: Float32Array, length: number, heads: number, kvHeads: number, headDim: number): number[] {
  const out: number[] = [];
  for (let h = 0; h < heads; h++) {
    const kv = (h % kvHeads) * headDim;
    const scores = Array.from({ length }, (_, t) => {
      let s = 0;
      for (let d = 0; d < headDim; d++) s += q[h * headDim + d] * keys[t * kvHeads * headDim + kv + d];
      return s / Math.sqrt(headDim);
    });
    const max = Math.max(...scores);
    const weights = scores.map((s) => Math.exp(s - max));
    const sum = weights.reduce((a, b) => a + b, 0);
    for (let d = 0; d < headDim; d++) out.push(weights.reduce((acc, w, t) => acc + (w / sum) * values[t * kvHeads * headDim + kv + d], 0));
  }
  return out;
}

describe("withGqaModuloHeads", () => {
  it.each([
    ["cpu-ts", () => cpuKernels as Kernels],
    ["cpu-wasm", () => wasm as Kernels],
  ])("on %s: query head h reads kv head h mod kvHeads, and each head is what the backend computes for it alone", (_backend, kernels) => {
    const base = kernels();
    const faulty = withGqaModuloHeads(base);
    const random = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.37) * 2);
    for (const [heads, kvHeads] of [[6, 2], [6, 3], [8, 2]]) {
      const headDim = 16;
      const length = 7;
      const q = random(heads * headDim, heads + kvHeads);
      const keys = random(length * kvHeads * headDim, 2);
      const values = random(length * kvHeads * headDim, 3);
      const out = new Float32Array(heads * headDim);
      faulty.attention(q, keys, values, length, { heads, kvHeads, headDim }, out);
      const expected = moduloAttention64(q, keys, values, length, heads, kvHeads, headDim);
      for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(expected[i], 5);
      // bit for bit the base kernel over head h's own kv head, one head at a time
      for (let h = 0; h < heads; h++) {
        const pick = (a: Float32Array) => Float32Array.from({ length: length * headDim }, (_, i) => a[Math.floor(i / headDim) * kvHeads * headDim + (h % kvHeads) * headDim + (i % headDim)]);
        const one = new Float32Array(headDim);
        base.attention(q.slice(h * headDim, (h + 1) * headDim), pick(keys), pick(values), length, { heads: 1, kvHeads: 1, headDim }, one);
        expect(Array.from(out.subarray(h * headDim, (h + 1) * headDim))).toEqual(Array.from(one));
      }
    }
  });
});
