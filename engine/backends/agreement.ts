// Backend agreement, kernel by kernel, as llama.cpp's test-backend-ops judges a backend: the
// normalized mean squared error of its output against the reference's on the same random
// inputs, at most 1e-7 by default and 5e-4 for matrix products and attention; argmax exactly.
// Used by the parity claims (measures/kernel-agreement.ts) and the CUDA parity tests.
//
// How to add a case: one line in its table below.

import { plainRopeFrequencies } from "./rope-frequencies.ts";
import type { QuantName } from "../quant/types.ts";
import type { Kernels } from "./kernels.ts";
import { gaussian, randomMatrix } from "./random-inputs.ts";

export const NMSE_DEFAULT = 1e-7;
export const NMSE_PRODUCT = 5e-4; // MUL_MAT, FLASH_ATTN_EXT in test-backend-ops

/** sum (e - o)^2 / sum e^2 over the non-NaN positions; NaN-ness must agree exactly (Infinity if not). */
export function nmse(expected: Float32Array, observed: Float32Array): number {
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

export interface KernelCase {
  op: string; // test-backend-ops' name: MUL_MAT, RMS_NORM, NORM, ROPE, SOFT_MAX, ATTENTION, ARGMAX
  params: string;
  threshold: number; // NMSE bound; 0: exactly equal
  /** Makes the inputs once and returns a runner: a backend's output on them (inputs left unchanged). */
  prepare(): (k: Kernels) => Float32Array;
}

export interface KernelAgreement {
  op: string;
  params: string;
  threshold: number;
  nmse: number;
  identical: boolean; // bit for bit
}

export const PRODUCT_SHAPES: [QuantName, number, number][] = [
  ["f32", 1, 64], ["f32", 7, 100], ["f32", 576, 576], ["f32", 1536, 576], ["f32", 4096, 576],
  ["q8_0", 1, 32], ["q8_0", 64, 576], ["q8_0", 1536, 576], ["q8_0", 576, 1536], ["q8_0", 4096, 576],
  ["q4_0", 1, 32], ["q4_0", 64, 576], ["q4_0", 1536, 576], ["q4_0", 576, 1536],
  ["q4_k", 1, 256], ["q4_k", 64, 512], ["q4_k", 2048, 2048],
  ["q6_k", 1, 256], ["q6_k", 64, 512], ["q6_k", 2048, 2048],
];
const NORMS: [number, number][] = [[64, 1e-5], [128, 1e-6], [576, 1e-5], [2048, 1e-6], [4099, 1e-5]];
const ROPES: [number, number, number, number][] = [[9, 64, 0, 10000], [9, 64, 37, 10000], [3, 64, 511, 10000], [4, 32, 100, 1e6], [2, 128, 4000, 1e6]];
const SOFTMAXES: [number, number][] = [[1, 1], [7, 1], [1000, 5], [49152, 10], [49152, 0.01]];
const ATTENTION: [number, number, number, number][] = [[4, 4, 64, 1], [4, 2, 32, 17], [9, 3, 64, 300], [14, 2, 64, 513], [2, 1, 128, 1024], [4, 1, 256, 40]];
const ARGMAX: number[] = [1, 49152, 151936];

function productCase([quant, rows, cols]: (typeof PRODUCT_SHAPES)[number], withBias: boolean): KernelCase {
  return {
    op: "MUL_MAT",
    params: `type=${quant} rows=${rows} cols=${cols} bias=${withBias ? 1 : 0}`,
    threshold: NMSE_PRODUCT,
    prepare() {
      const w = randomMatrix(`w.${quant}`, rows, cols, quant, rows * 31 + cols);
      const x = gaussian(cols, cols + 1);
      const bias = withBias ? gaussian(rows, rows + 2, 0.1) : null;
      return (k) => {
        const out = new Float32Array(rows);
        k.matvec(w, x, out, bias);
        return out;
      };
    },
  };
}

function normCases([n, eps]: (typeof NORMS)[number]): KernelCase[] {
  const inputs = () => ({ x: gaussian(n, n, 3), weight: gaussian(n, n + 1, 0.1).map((v) => 1 + v), bias: gaussian(n, n + 2, 0.1) });
  const params = `n=${n} eps=${eps}`;
  return [
    {
      op: "RMS_NORM",
      params,
      threshold: NMSE_DEFAULT,
      prepare() {
        const { x, weight } = inputs();
        return (k) => {
          const out = new Float32Array(n);
          k.rmsNorm(x, weight, eps, out);
          return out;
        };
      },
    },
    {
      op: "NORM",
      params,
      threshold: NMSE_DEFAULT,
      prepare() {
        const { x, weight, bias } = inputs();
        return (k) => {
          const out = new Float32Array(n);
          k.layerNorm(x, weight, bias, eps, out);
          return out;
        };
      },
    },
  ];
}

function ropeCase([heads, headDim, position, theta]: (typeof ROPES)[number]): KernelCase {
  return {
    op: "ROPE",
    params: `heads=${heads} headDim=${headDim} pos=${position} theta=${theta}`,
    threshold: NMSE_DEFAULT,
    prepare() {
      const x = gaussian(heads * headDim, heads + headDim + position);
      return (k) => {
        const y = x.slice();
        k.rope(y, heads, headDim, position, plainRopeFrequencies(headDim, theta));
        return y;
      };
    },
  };
}

function softmaxCase([n, scale]: (typeof SOFTMAXES)[number]): KernelCase {
  return {
    op: "SOFT_MAX",
    params: `n=${n} scale=${scale} (3 values beyond n untouched)`,
    threshold: NMSE_DEFAULT,
    prepare() {
      const x = gaussian(n + 3, n, scale);
      return (k) => {
        const y = x.slice();
        k.softmax(y, n);
        return y;
      };
    },
  };
}

/** The decode loop's pattern: lengths 1, 2, L/2, L over the same cache arrays; outputs concatenated. */
function attentionCase([heads, kvHeads, headDim, length]: (typeof ATTENTION)[number]): KernelCase {
  const lengths = [...new Set([1, 2, Math.ceil(length / 2), length])].filter((l) => l <= length);
  return {
    op: "ATTENTION",
    params: `heads=${heads} kvHeads=${kvHeads} headDim=${headDim} lengths=${lengths.join(",")}`,
    threshold: NMSE_PRODUCT,
    prepare() {
      const width = kvHeads * headDim;
      const keys = gaussian(length * width, length + 1);
      const values = gaussian(length * width, length + 2);
      const q = gaussian(heads * headDim, length + 3);
      return (k) => {
        const out = new Float32Array(lengths.length * heads * headDim);
        lengths.forEach((l, i) => k.attention(q, keys, values, l, { heads, kvHeads, headDim }, out.subarray(i * heads * headDim, (i + 1) * heads * headDim)));
        return out;
      };
    },
  };
}

function argmaxCase(n: number): KernelCase {
  return {
    op: "ARGMAX",
    params: `n=${n}`,
    threshold: 0,
    prepare() {
      const x = gaussian(n, n + 7);
      return (k) => Float32Array.of(k.argmax(x));
    },
  };
}

export const KERNEL_CASES: readonly KernelCase[] = [
  ...PRODUCT_SHAPES.flatMap((s) => [productCase(s, false), productCase(s, true)]),
  ...NORMS.flatMap(normCases),
  ...ROPES.map(ropeCase),
  ...SOFTMAXES.map(softmaxCase),
  ...ATTENTION.map(attentionCase),
  ...ARGMAX.map(argmaxCase),
];

/** One comparison of a subject's output with the reference's. */
export function agreement(op: string, params: string, threshold: number, expected: Float32Array, observed: Float32Array): KernelAgreement {
  const identical = expected.length === observed.length && expected.every((v, i) => Object.is(v, observed[i]));
  return { op, params, threshold, nmse: nmse(expected, observed), identical };
}

// Each case's inputs, made once per process: they are seeded (the same every time), runners
// leave them unchanged, and making them is most of a comparison's cost (quantizing the random
// 2048 x 2048 K-quant matrices alone takes seconds), which the teeth run would pay in every
// fault's pass.
const runners = new Map<KernelCase, ReturnType<KernelCase["prepare"]>>();

function runnerOf(c: KernelCase): ReturnType<KernelCase["prepare"]> {
  let run = runners.get(c);
  if (!run) runners.set(c, (run = c.prepare()));
  return run;
}

export function compareKernel(c: KernelCase, subject: Kernels, reference: Kernels): KernelAgreement {
  const run = runnerOf(c);
  return agreement(c.op, c.params, c.threshold, run(reference), run(subject));
}

export const agrees = (a: KernelAgreement) => a.nmse <= a.threshold;
