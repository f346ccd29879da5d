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
