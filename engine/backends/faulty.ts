// Buggy kernels: a clean backend wrapped so that one kernel has a bug a real backend has had.
// Each wrapper is an EngineHooks.kernels value (engine/hooks.ts); built only when a caller
// sets that hook, so the clean path never runs this file's code.

import type { AttentionShape, Kernels } from "./kernels.ts";
import { type RopeFrequencies, ropeTable } from "./rope-frequencies.ts";

/** RoPE over adjacent pairs (2i, 2i+1): llama.cpp's llama rotation, wrong on split-halves weights. */
export function ropeAdjacentPairs(x: Float32Array, heads: number, headDim: number, position: number, freqs: RopeFrequencies): void {
  const table = ropeTable(freqs, position);
  for (let i = 0; i < headDim / 2; i++) {
    const cos = table[2 * i];
    const sin = table[2 * i + 1];
    for (let h = 0; h < heads; h++) {
      const a = h * headDim + 2 * i;
      const x0 = x[a];
      const x1 = x[a + 1];
      x[a] = x0 * cos - x1 * sin;
      x[a + 1] = x1 * cos + x0 * sin;
    }
  }
}

function softmaxNoMax(x: Float32Array, n: number): void {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    x[i] = Math.fround(Math.exp(x[i])); // float32 overflows to Infinity past ~88.7
    sum = Math.fround(sum + x[i]);
  }
  for (let i = 0; i < n; i++) x[i] /= sum;
}

/**
 * Attention where query head h reads kv head h % kvHeads. The base kernel maps query head p
 * to kv head floor(p / group) (group = heads / kvHeads), so the query heads are reordered to
 * put those reading kv head j at p = j * group .. j * group + group - 1, attended in one call
 * over the cache as it is, and put back: each head's result is what the base computes for
 * that query and kv head alone. (Copying each head's keys and values out instead costs a
 * cache-sized copy per head and token, which made this fault's teeth pass the slowest.)
 * q, out: [heads * headDim]; the reordered copies come from the backend's memory where it has one.
 */
function gqaModuloAttention(base: Kernels) {
  const buffers = new Map<number, { q: Float32Array; out: Float32Array }>();
  const buffersOf = (n: number) => {
    let b = buffers.get(n);
    if (!b) {
      const allocate = (k: number) => (base.allocate ? base.allocate(k) : new Float32Array(k));
      b = { q: allocate(n), out: allocate(n) };
      buffers.set(n, b);
    }
    return b;
  };
  return (q: Float32Array, keys: Float32Array, values: Float32Array, length: number, shape: AttentionShape, out: Float32Array): void => {
    const { heads, kvHeads, headDim } = shape;
    const group = heads / kvHeads;
    const b = buffersOf(heads * headDim);
    // query head h = j + i * kvHeads (reads kv head j) goes to slot p = j * group + i
    const slot = (h: number) => (h % kvHeads) * group + Math.floor(h / kvHeads);
    for (let h = 0; h < heads; h++) b.q.set(q.subarray(h * headDim, (h + 1) * headDim), slot(h) * headDim);
    base.attention(b.q, keys, values, length, shape, b.out);
    for (let h = 0; h < heads; h++) out.set(b.out.subarray(slot(h) * headDim, (slot(h) + 1) * headDim), h * headDim);
  };
}

/**
 * The backend with some kernels replaced. Backends are class instances whose methods live on
 * the prototype (and may use private state), so the others are looked up on the backend and
 * bound to it rather than copied. A changed matvec takes the batched products (matmul, matmuls)
 * with it, a changed attention the batched attention (attentionTokens), a changed rmsNorm the
 * batched norm (rmsNormTokens): the session then computes a prompt token by token through the
 * change.
 */
function overriding(base: Kernels, changes: Partial<Kernels>): Kernels {
  return new Proxy(base, {
    get(target, key) {
      if (Object.hasOwn(changes, key)) return changes[key as keyof Kernels];
      if ((key === "matmul" || key === "matmuls") && Object.hasOwn(changes, "matvec")) return undefined;
      if (key === "attentionTokens" && Object.hasOwn(changes, "attention")) return undefined;
      if (key === "rmsNormTokens" && Object.hasOwn(changes, "rmsNorm")) return undefined;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** RoPE over adjacent pairs on weights laid out for split halves. */
export function withAdjacentPairRope(base: Kernels): Kernels {
  return overriding(base, { rope: ropeAdjacentPairs });
}

/** Softmax that exponentiates raw scores, without subtracting their maximum. */
export function withSoftmaxNoMaxSubtraction(base: Kernels): Kernels {
  return overriding(base, { softmax: softmaxNoMax });
}

/** Attention where query head h reads kv head h % kvHeads instead of floor(h / (heads / kvHeads)). */
export function withGqaModuloHeads(base: Kernels): Kernels {
  return overriding(base, { attention: gqaModuloAttention(base) });
}

/** RMSNorm and LayerNorm with their epsilon multiplied by `factor` (a normalisation hyperparameter read wrong), graded. */
export function withNormEpsilonScaled(factor: number): (base: Kernels) => Kernels {
  return (base) =>
    overriding(base, {
      rmsNorm: (x, w, eps, out) => base.rmsNorm(x, w, eps * factor, out),
      layerNorm: (x, w, b, eps, out) => base.layerNorm(x, w, b, eps * factor, out),
    });
}

/** RMSNorm and LayerNorm computed without their epsilon. */
export function withNormEpsilonIgnored(base: Kernels): Kernels {
  return overriding(base, {
    rmsNorm: (x, w, _eps, out) => base.rmsNorm(x, w, 0, out),
    layerNorm: (x, w, b, _eps, out) => base.layerNorm(x, w, b, 0, out),
  });
}
