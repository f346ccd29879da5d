// CPU/CUDA parity: every kernel of the CUDA backend against the CPU reference by normalized mean
// squared error, as llama.cpp's test-backend-ops judges backends (1e-7 by default, 5e-4 for
// matrix products and attention), argmax exactly, and greedy tokens on the zoo (F32 and Q8_0,
// native format) and on random models of each family, token for token.
//
// Where no CUDA device can be had, the file reports `blocked: no CUDA device (reason)` as one
// test that names what it did not run; with REFUTE_GPU=1 (scripts/gpu/run-on-gpu.sh) that test
// fails instead, so a GPU run cannot pass without running everything.
// REFUTE_GPU_RESULTS=path appends one JSON line per check there (the GPU run keeps them).
// REFUTE_CUDA_STANDIN=cpu runs every check against a copy of the CPU reference instead of CUDA,
// labelled as such: it tests this file, never the CUDA backend.
//
// How to add a case: one line in the table of its section.

import { plainRopeFrequencies } from "../../engine/backends/rope-frequencies.ts";
import { ropeAdjacentPairs } from "../../engine/backends/faulty.ts";
import { appendFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpuKernels } from "../../engine/backends/cpu/kernels.ts";
import { createCudaKernels, probeCuda, type CudaKernels } from "../../engine/backends/cuda/backend.ts";
import type { Kernels } from "../../engine/backends/kernels.ts";
import { prepareSource } from "../../engine/convert.ts";
import { greedy } from "../../engine/generate/greedy.ts";
import { Session, type LoadedModel } from "../../engine/generate/session.ts";
import type { Architecture } from "../../engine/model/architecture.ts";
import { FAMILY_SPECS } from "../../engine/model/families/index.ts";
import { EngineModel } from "../../engine/model.ts";
import type { QuantName } from "../../engine/quant/types.ts";
import { KERNEL_CASES, NMSE_DEFAULT, NMSE_PRODUCT, agreement, compareKernel, type KernelAgreement } from "../../engine/backends/agreement.ts";
import { gaussian, randomMatrix } from "../../engine/backends/random-inputs.ts";
import { randomModel } from "./random-model.ts";

const GPU = process.env.REFUTE_GPU === "1";
const STANDIN = process.env.REFUTE_CUDA_STANDIN === "cpu";
const RESULTS = process.env.REFUTE_GPU_RESULTS;
const probe = probeCuda();

const ZOO = ["tiny-llama", "tiny-qwen2", "tiny-gpt2"];
const ZOO_QUANTS = ["f32", "q8_0"];
const PROMPTS = ["def add(a, b):", "Once upon a time", "3 + 4 ="];
const NEW_TOKENS = 24;


const checks: KernelAgreement[] = [];

function record(check: KernelAgreement): void {
  checks.push(check);
  if (RESULTS) appendFileSync(RESULTS, JSON.stringify({ suite: "cuda-parity", standin: STANDIN, ...check }) + "\n");
  expect(check.nmse, `[${check.op}] ${check.params}: NMSE = ${check.nmse.toExponential(3)} > ${check.threshold}`).toBeLessThanOrEqual(check.threshold);
}

function judge(op: string, params: string, expected: Float32Array, observed: Float32Array, threshold: number): void {
  record(agreement(op, params, threshold, expected, observed));
}

const NOT_RUN = [
  `per-kernel NMSE against cpu-ts: MUL_MAT (f32, q8_0, q4_0, q4_k, q6_k; <= ${NMSE_PRODUCT}), RMS_NORM, NORM, ROPE (both pairings), SOFT_MAX (<= ${NMSE_DEFAULT}), attention (<= ${NMSE_PRODUCT}), ARGMAX (exact)`,
  `greedy tokens identical to cpu-ts on the zoo (${ZOO.join(", ")}) in ${ZOO_QUANTS.join(" and ")}, native format`,
  "greedy tokens identical to cpu-ts on random llama/qwen2/gpt2 models (f32, q8_0, q4_0; q4_k and q6_k on llama)",
];

if (!probe.available && !STANDIN) {
  describe("CUDA parity", () => {
    it(`blocked: no CUDA device (${probe.reason})`, () => {
      const report = `cuda-parity: blocked: no CUDA device (${probe.reason}). Not run:\n${NOT_RUN.map((s) => `  - ${s}`).join("\n")}`;
      if (RESULTS) appendFileSync(RESULTS, JSON.stringify({ suite: "cuda-parity", verdict: "blocked", reason: probe.reason, notRun: NOT_RUN }) + "\n");
      if (GPU) throw new Error(`REFUTE_GPU=1 asks for a GPU run, but ${report}`);
      console.warn(report);
    });
  });
} else {
  let subject: Kernels & Pick<CudaKernels, "ropeAdjacent">;
  beforeAll(() => {
    subject = STANDIN ? { ...cpuKernels, name: "cpu-ts (stand-in for cuda)", ropeAdjacent: ropeAdjacentPairs } : createCudaKernels();
    console.log(STANDIN ? "cuda-parity: STAND-IN run on cpu-ts (tests this file, not CUDA)" : `cuda-parity: ${(subject as CudaKernels).deviceName}, driver ${(subject as CudaKernels).driverVersion}`);
  });
  afterAll(async () => {
    await subject?.close?.();
    const lines = checks.map((c) => `  [${c.op}] ${c.params}: NMSE = ${c.nmse.toExponential(3)} <= ${c.threshold}${c.identical ? " (bit-identical)" : ""} ${c.nmse <= c.threshold ? "OK" : "FAIL"}`);
    console.log(`cuda-parity: ${checks.length} kernel checks\n${lines.join("\n")}`);
  });

  // --- kernels -------------------------------------------------------------------------------

  describe("every kernel case of engine/backends/agreement.ts", () => {
    it.each(KERNEL_CASES.map((c) => [`${c.op} ${c.params}`, c] as const))("%s", (_label, c) => {
      record(compareKernel(c, subject, cpuKernels));
    });
  });

  describe("MUL_MAT", () => {
    it.each(["q8_0", "q4_0", "q4_k"] as QuantName[])("%s: a non-finite activation makes every output NaN, as the reference", (quant) => {
      const w = randomMatrix(`w.${quant}`, 16, 512, quant, 5);
      const x = gaussian(512, 6);
      x[300] = Infinity;
      const expected = new Float32Array(16);
      const observed = new Float32Array(16);
      cpuKernels.matvec(w, x, expected, null);
      subject.matvec(w, x, observed, null);
      expect([...observed].every(Number.isNaN), `${quant}: ${observed}`).toBe(true);
      judge("MUL_MAT", `type=${quant} rows=16 cols=512 x[300]=inf`, expected, observed, NMSE_PRODUCT);
    });
  });

  const ROPES: [number, number, number, number][] = [[9, 64, 0, 10000], [9, 64, 37, 10000], [3, 64, 511, 10000], [4, 32, 100, 1e6], [2, 128, 4000, 1e6]];

  describe("ROPE, adjacent pairs (the CUDA backend's second rotation)", () => {
    it.each(ROPES)("heads=%i headDim=%i position=%i theta=%d", (heads, headDim, position, theta) => {
      const x = gaussian(heads * headDim, heads + headDim + position);
      const [expected, observed] = [x.slice(), x.slice()];
      ropeAdjacentPairs(expected, heads, headDim, position, plainRopeFrequencies(headDim, theta));
      subject.ropeAdjacent(observed, heads, headDim, position, plainRopeFrequencies(headDim, theta));
      judge("ROPE", `mode=adjacent heads=${heads} headDim=${headDim} pos=${position} theta=${theta}`, expected, observed, NMSE_DEFAULT);
    });
  });

  describe("ARGMAX", () => {
    const CASES: [string, Float32Array][] = [
      ["random 49152", gaussian(49152, 9)],
      ["ties: first wins", new Float32Array([1, 5, 2, 5, 5])],
      ["all equal", new Float32Array(3000).fill(0.25)],
      ["NaN first stays", new Float32Array([NaN, 1, 2])],
      ["NaN elsewhere never wins", new Float32Array([1, NaN, 3, NaN])],
      ["-0 before +0", new Float32Array([-0, 0])],
      ["-inf only", new Float32Array([-Infinity, -Infinity])],
      ["max at the end of 100000", Float32Array.from({ length: 100000 }, (_, i) => (i === 99999 ? 10 : Math.sin(i)))],
    ];
    it.each(CASES)("%s", (_name, x) => {
      expect(subject.argmax(x)).toBe(cpuKernels.argmax(x));
    });
  });

  // --- whole models --------------------------------------------------------------------------

  describe.each(ZOO)("zoo %s: greedy tokens identical to cpu-ts", (slug) => {
    it.each(ZOO_QUANTS)("%s, native format", (quant) => {
      const source = prepareSource(slug, "native", quant);
      const reference = new EngineModel(source, cpuKernels);
      const observed = new EngineModel(source, subject);
      for (const prompt of PROMPTS) {
        expect(observed.generate(prompt, NEW_TOKENS, 0).tokens, `${slug} ${quant} "${prompt}"`).toEqual(reference.generate(prompt, NEW_TOKENS, 0).tokens);
      }
    });
  });

  const SHAPE = { vocabSize: 512, hidden: 256, layers: 2, heads: 4, kvHeads: 2, headDim: 64, rotaryDims: 64, intermediate: 512, maxPositions: 64, normEps: 1e-5, ropeTheta: 10000, bosTokenId: null, eosTokenId: null, ropeScaling: null };
  const FAMILIES: Architecture[] = [
    { ...SHAPE, family: "llama", ...FAMILY_SPECS.llama.traits },
    { ...SHAPE, family: "qwen2", ...FAMILY_SPECS.qwen2.traits },
    { ...SHAPE, family: "gpt2", kvHeads: 4, rotaryDims: 0, ...FAMILY_SPECS.gpt2.traits },
  ];
  const RANDOM = FAMILIES.flatMap((arch) => (["f32", "q8_0", "q4_0", ...(arch.family === "llama" ? ["q4_k", "q6_k"] : [])] as QuantName[]).map((q) => [arch.family, q, arch] as const));

  describe("random models: greedy tokens identical to cpu-ts", () => {
    const tokens = (model: LoadedModel, kernels: Kernels) => greedy(new Session(model, kernels, 48), kernels, [1, 2, 3, 4, 5], { maxNewTokens: 32, topK: 0 }).tokens;
    it.each(RANDOM)("%s %s", (_family, quant, arch) => {
      const model = randomModel(arch, quant, 17);
      expect(tokens(model, subject), `${arch.family} ${quant}`).toEqual(tokens(model, cpuKernels));
    });
  });
}
