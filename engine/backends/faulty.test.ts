// Kernel faults wrap whichever backend runs: the class-based cpu-wasm backend keeps its
// methods (and their private state) under the wrapper, and the faulted kernel really runs.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareSource } from "../convert.ts";
import type { Fault } from "../../core/faults.ts";
import { EngineModel } from "../model.ts";
import { cpuKernels } from "./cpu/kernels.ts";
import { withKernelFault } from "./faulty.ts";
import { createWasmKernels, type WasmKernels } from "./wasm/kernels.ts";

const KERNEL_FAULTS: Fault[] = ["rope-adjacent-pairs", "softmax-no-max-subtraction", "gqa-head-mapping", "norm-epsilon-ignored"];

let wasm: WasmKernels;
beforeAll(async () => {
  wasm = await createWasmKernels({ threads: 1 });
});
afterAll(() => wasm.close());

it("no fault: the backend itself, unwrapped", () => {
  expect(withKernelFault(cpuKernels, null)).toBe(cpuKernels);
  expect(withKernelFault(wasm, null)).toBe(wasm);
});

describe.each(KERNEL_FAULTS)("%s", (fault) => {
  it("runs a whole generation on the cpu-wasm backend", () => {
    const model = new EngineModel(prepareSource("tiny-qwen2", "safetensors", "f32"), wasm, fault);
    expect(model.generate("3 + 4 =", 4, 1).tokens).toHaveLength(4);
  });
});

// tiny-qwen2: 4 query heads over 2 KV heads, split-halves RoPE; both faults change every
// position's attention, so the first step's log-probabilities cannot stay the same.
describe.each(["rope-adjacent-pairs", "gqa-head-mapping"] as Fault[])("%s changes the distribution", (fault) => {
  it.each([
    ["cpu-ts", () => cpuKernels],
    ["cpu-wasm", () => wasm],
  ])("on %s", (_name, kernels) => {
    const source = prepareSource("tiny-qwen2", "safetensors", "f32");
    const clean = new EngineModel(source, kernels()).generate("3 + 4 =", 1, 5).topk[0];
    const faulty = new EngineModel(source, kernels(), fault).generate("3 + 4 =", 1, 5).topk[0];
    expect(faulty).not.toEqual(clean);
  });
});
