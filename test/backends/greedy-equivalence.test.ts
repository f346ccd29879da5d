// Greedy decoding is the same on both CPU backends: with F32 weights the cpu-wasm backend
// (float32-lane products, polynomial exp) gives the TypeScript reference's tokens, step for
// step, on the zoo and on random models of each family; with quantized weights too, where
// the integer dots are exact (k-quant products bit-identical, Q8_0 and Q4_0 to float32
// rounding of the reference's order).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpuKernels } from "../../engine/backends/cpu/kernels.ts";
import type { Kernels } from "../../engine/backends/kernels.ts";
import { createWasmKernels, type WasmKernels } from "../../engine/backends/wasm/kernels.ts";
import { prepareSource } from "../../engine/convert.ts";
import { greedy } from "../../engine/generate/greedy.ts";
import { Session, type LoadedModel } from "../../engine/generate/session.ts";
import type { Architecture } from "../../engine/model/architecture.ts";
import type { FamilyTraits } from "../../engine/model/families/family.ts";
import { FAMILY_SPECS } from "../../engine/model/families/index.ts";
import { EngineModel } from "../../engine/model.ts";
import type { QuantName } from "../../engine/quant/types.ts";
import { randomModel } from "./random-model.ts";
import { weightMatrices } from "./weight-matrices.ts";

const PROMPTS = ["def add(a, b):", "Once upon a time", "3 + 4 ="];
const NEW_TOKENS = 24;

let wasm: WasmKernels;
beforeAll(async () => {
  wasm = await createWasmKernels({ threads: 2, minParallelBytes: 0 });
});
afterAll(() => wasm.close());

describe.each(["tiny-llama", "tiny-qwen2", "tiny-gpt2"])("zoo %s", (slug) => {
  it("F32: greedy tokens identical to cpu-ts for every prompt", () => {
    const source = prepareSource(slug, "safetensors", "f32");
    const reference = new EngineModel(source, cpuKernels);
    const fast = new EngineModel(source, wasm);
    for (const prompt of PROMPTS) {
      const expected = reference.generate(prompt, NEW_TOKENS, 0).tokens;
      const observed = fast.generate(prompt, NEW_TOKENS, 0).tokens;
      expect(observed, `${slug} f32 "${prompt}"`).toEqual(expected);
    }
  });

  it("q8_0: every matrix the model keeps lives in the backend's memory, so the weights exist once", () => {
    const fast = new EngineModel(prepareSource(slug, "native", "q8_0"), wasm);
    for (const m of weightMatrices(fast)) expect(m.data.buffer, m.name).toBeInstanceOf(SharedArrayBuffer);
    expect(fast.weights.output === fast.weights.tokenEmbedding).toBe(fast.arch.tiedEmbeddings);
  });
});

const SHAPE: Omit<Architecture, "family" | keyof FamilyTraits> = {
  vocabSize: 256,
  hidden: 256, // k-quant rows are whole blocks of 256
  layers: 1,
  heads: 4,
  kvHeads: 2,
  headDim: 64,
  rotaryDims: 64,
  intermediate: 256,
  maxPositions: 64,
  normEps: 1e-5,
  ropeTheta: 10000,
  bosTokenId: null,
  eosTokenId: null,
  ropeScaling: null,
};
const FAMILIES: Architecture[] = [
  { ...SHAPE, family: "llama", ...FAMILY_SPECS.llama.traits },
  { ...SHAPE, family: "qwen2", ...FAMILY_SPECS.qwen2.traits },
  { ...SHAPE, family: "gpt2", kvHeads: 4, rotaryDims: 0, ...FAMILY_SPECS.gpt2.traits },
];

function tokens(model: LoadedModel, kernels: Kernels): number[] {
  return greedy(new Session(model, kernels, 40), kernels, [1, 2, 3, 4], { maxNewTokens: NEW_TOKENS, topK: 0 }).tokens;
}

// every family in F32 and the llama.cpp 8- and 4-bit block formats; the k-quants (whose
// quantizer is slow) on one family: the kernels do not depend on the family
const CASES = FAMILIES.flatMap((arch) => (["f32", "q8_0", "q4_0", ...(arch.family === "llama" ? ["q4_k", "q6_k"] : [])] as QuantName[]).map((quant) => [arch.family, quant, arch] as const));

describe("random models", () => {
  it.each(CASES)("%s %s: greedy tokens identical to cpu-ts", (_family, quant, arch) => {
    const model = randomModel(arch, quant, 7);
    expect(tokens(model, wasm), `${arch.family} ${quant}`).toEqual(tokens(model, cpuKernels));
  });
});
