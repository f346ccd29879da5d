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
import { EngineModel } from "../../engine/model.ts";
import type { QuantName } from "../../engine/quant/types.ts";
import { gaussian, randomMatrix, randomModel } from "./random-model.ts";

const GPU = process.env.REFUTE_GPU === "1";
const STANDIN = process.env.REFUTE_CUDA_STANDIN === "cpu";
const RESULTS = process.env.REFUTE_GPU_RESULTS;
const probe = probeCuda();

const NMSE_DEFAULT = 1e-7;
const NMSE_PRODUCT = 5e-4; // MUL_MAT, FLASH_ATTN_EXT in test-backend-ops

const ZOO = ["tiny-llama", "tiny-qwen2", "tiny-gpt2"];
const ZOO_QUANTS = ["f32", "q8_0"];
const PROMPTS = ["def add(a, b):", "Once upon a time", "3 + 4 ="];
const NEW_TOKENS = 24;


/** sum (e - o)^2 / sum e^2 over the finite positions; NaN-ness must agree exactly (Infinity if not). */
function nmse(expected: Float32Array, observed: Float32Array): number {
  if (expected.length !== observed.length) return Infinity;
  let err = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i]) !== Number.isNaN(observed[i])) return Infinity;
    if (Number.isNaN(expected[i])) continue;
    err += (expected[i] - observed[i]) ** 2;
    norm += expected[i] ** 2;
  }
  return norm === 0 ? err : err / norm;
}

interface Check {
  op: string;
  params: string;
  nmse: number;
  threshold: number;
  identical: boolean;
}
const checks: Check[] = [];

function judge(op: string, params: string, expected: Float32Array, observed: Float32Array, threshold: number): void {
  const e = nmse(expected, observed);
  const identical = expected.length === observed.length && expected.every((v, i) => Object.is(v, observed[i]));
  const check = { op, params, nmse: e, threshold, identical };
  checks.push(check);
  if (RESULTS) appendFileSync(RESULTS, JSON.stringify({ suite: "cuda-parity", standin: STANDIN, ...check }) + "\n");
  expect(e, `[${op}] ${params}: NMSE = ${e.toExponential(3)} > ${threshold}`).toBeLessThanOrEqual(threshold);
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

  const PRODUCTS: [QuantName, number, number][] = [
    ["f32", 1, 64], ["f32", 7, 100], ["f32", 576, 576], ["f32", 1536, 576], ["f32", 4096, 576],
    ["q8_0", 1, 32], ["q8_0", 64, 576], ["q8_0", 1536, 576], ["q8_0", 576, 1536], ["q8_0", 4096, 576],
    ["q4_0", 1, 32], ["q4_0", 64, 576], ["q4_0", 1536, 576], ["q4_0", 576, 1536],
    ["q4_k", 1, 256], ["q4_k", 64, 512], ["q4_k", 2048, 2048],
    ["q6_k", 1, 256], ["q6_k", 64, 512], ["q6_k", 2048, 2048],
  ];

  describe("MUL_MAT", () => {
    it.each(PRODUCTS)("%s rows=%i cols=%i, with and without bias", (quant, rows, cols) => {
      const w = randomMatrix(`w.${quant}`, rows, cols, quant, rows * 31 + cols);
      const x = gaussian(cols, cols + 1);
      for (const bias of [null, gaussian(rows, rows + 2, 0.1)]) {
        const expected = new Float32Array(rows);
        const observed = new Float32Array(rows);
        cpuKernels.matvec(w, x, expected, bias);
        subject.matvec(w, x, observed, bias);
        judge("MUL_MAT", `type=${quant} rows=${rows} cols=${cols} bias=${bias ? 1 : 0}`, expected, observed, NMSE_PRODUCT);
      }
    });

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

  const NORMS: [number, number][] = [[64, 1e-5], [128, 1e-6], [576, 1e-5], [2048, 1e-6], [4099, 1e-5]];

  describe("RMS_NORM and NORM", () => {
    it.each(NORMS)("n=%i eps=%d", (n, eps) => {
      const x = gaussian(n, n, 3);
      const weight = gaussian(n, n + 1, 0.1).map((v) => 1 + v);
      const bias = gaussian(n, n + 2, 0.1);
      const [expected, observed] = [new Float32Array(n), new Float32Array(n)];
      cpuKernels.rmsNorm(x, weight, eps, expected);
      subject.rmsNorm(x, weight, eps, observed);
      judge("RMS_NORM", `n=${n} eps=${eps}`, expected, observed, NMSE_DEFAULT);
      cpuKernels.layerNorm(x, weight, bias, eps, expected);
      subject.layerNorm(x, weight, bias, eps, observed);
      judge("NORM", `n=${n} eps=${eps}`, expected, observed, NMSE_DEFAULT);
    });
  });

  const ROPES: [number, number, number, number][] = [[9, 64, 0, 10000], [9, 64, 37, 10000], [3, 64, 511, 10000], [4, 32, 100, 1e6], [2, 128, 4000, 1e6]];

  describe("ROPE", () => {
    it.each(ROPES)("heads=%i headDim=%i position=%i theta=%d, split halves and adjacent pairs", (heads, headDim, position, theta) => {
      const x = gaussian(heads * headDim, heads + headDim + position);
      const [expected, observed] = [x.slice(), x.slice()];
      cpuKernels.rope(expected, heads, headDim, position, theta);
      subject.rope(observed, heads, headDim, position, theta);
      judge("ROPE", `mode=halves heads=${heads} headDim=${headDim} pos=${position} theta=${theta}`, expected, observed, NMSE_DEFAULT);
      const [adjExpected, adjObserved] = [x.slice(), x.slice()];
      ropeAdjacentPairs(adjExpected, heads, headDim, position, theta);
      subject.ropeAdjacent(adjObserved, heads, headDim, position, theta);
      judge("ROPE", `mode=adjacent heads=${heads} headDim=${headDim} pos=${position} theta=${theta}`, adjExpected, adjObserved, NMSE_DEFAULT);
    });
  });

  const SOFTMAXES: [number, number][] = [[1, 1], [7, 1], [1000, 5], [49152, 10], [49152, 0.01]];

  describe("SOFT_MAX", () => {
    it.each(SOFTMAXES)("n=%i scale=%d (values beyond n untouched)", (n, scale) => {
      const x = gaussian(n + 3, n, scale);
      const [expected, observed] = [x.slice(), x.slice()];
      cpuKernels.softmax(expected, n);
      subject.softmax(observed, n);
      judge("SOFT_MAX", `n=${n} scale=${scale}`, expected, observed, NMSE_DEFAULT);
    });
  });

  const ATTENTION: [number, number, number, number][] = [[4, 4, 64, 1], [4, 2, 32, 17], [9, 3, 64, 300], [14, 2, 64, 513], [2, 1, 128, 1024], [4, 1, 256, 40]];

  describe("attention over the KV cache", () => {
    it.each(ATTENTION)("heads=%i kvHeads=%i headDim=%i length=%i, cache grown one position at a time", (heads, kvHeads, headDim, length) => {
      const width = kvHeads * headDim;
      const keys = gaussian(length * width, length + 1);
      const values = gaussian(length * width, length + 2);
      const q = gaussian(heads * headDim, length + 3);
      const shape = { heads, kvHeads, headDim };
      // the decode loop's pattern: lengths 1..L over the same cache arrays (new rows only)
      for (const l of [...new Set([1, 2, Math.ceil(length / 2), length])].filter((l) => l <= length)) {
        const [expected, observed] = [new Float32Array(heads * headDim), new Float32Array(heads * headDim)];
        cpuKernels.attention(q, keys, values, l, shape, expected);
        subject.attention(q, keys, values, l, shape, observed);
        judge("ATTENTION", `heads=${heads} kvHeads=${kvHeads} headDim=${headDim} length=${l}`, expected, observed, NMSE_PRODUCT);
      }
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

  const SHAPE = { vocabSize: 512, hidden: 256, layers: 2, heads: 4, kvHeads: 2, headDim: 64, intermediate: 512, maxPositions: 64, normEps: 1e-5, ropeTheta: 10000, bosTokenId: null, eosTokenId: null };
  const FAMILIES: Architecture[] = [
    { ...SHAPE, family: "llama", norm: "rms", position: "rope", mlp: "swiglu", qkvBias: false, outputBias: false, tiedEmbeddings: true },
    { ...SHAPE, family: "qwen2", norm: "rms", position: "rope", mlp: "swiglu", qkvBias: true, outputBias: false, tiedEmbeddings: false },
    { ...SHAPE, family: "gpt2", kvHeads: 4, norm: "layer", position: "learned", mlp: "gelu", qkvBias: true, outputBias: true, tiedEmbeddings: true },
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
