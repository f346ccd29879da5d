// The session's KV cache: the float32 default hands attention the stored arrays themselves;
// the quantized cache reads back exactly what quantize -> dequantize gives; a session with
// an int8 cache stays close to the float32 one (int4 less close, with the unsigned-range
// scale hook far off), and
// EngineModel's `kv` option reaches every session it makes.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gaussian } from "../backends/random-inputs.ts";
import { randomModel } from "../../test/backends/random-model.ts";
import { tinyGguf } from "../../test/runtimes/tiny-model.ts";
import { cpuKernels } from "../backends/cpu/kernels.ts";
import { NO_HOOKS, type EngineHooks } from "../hooks.ts";
import { Session } from "../generate/session.ts";
import type { Architecture } from "../model/architecture.ts";
import { FAMILY_SPECS } from "../model/families/index.ts";
import { EngineModel } from "../model.ts";
import { openSource } from "../open.ts";
import { FloatKvCache, QuantizedKvCache, type KvCache } from "./cache.ts";
import { dequantizeGroups, quantizeGroups, type KvQuantOptions } from "./quantize.ts";

const ARCH: Architecture = {
  family: "llama",
  vocabSize: 256,
  hidden: 128,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  headDim: 32,
  rotaryDims: 32,
  intermediate: 256,
  maxPositions: 64,
  normEps: 1e-5,
  ropeTheta: 10000,
  ...FAMILY_SPECS.llama.traits,
  bosTokenId: null,
  eosTokenId: null,
  ropeScaling: null,
};

const INT8: KvQuantOptions = { bits: 8, groupSize: 32, sparsity: 0 };
const INT4: KvQuantOptions = { bits: 4, groupSize: 32, sparsity: 0 };

describe("KV caches", () => {
  it("float32: keys() and values() are the stored arrays, no copy, whatever the length", () => {
    const cache: KvCache = new FloatKvCache(2, 4, 8);
    const k = Float32Array.from({ length: 8 }, (_, i) => i);
    cache.write(1, 2, k, k);
    expect(cache.keys(1, 1)).toBe(cache.keys(1, 3));
    expect([...cache.keys(1, 3).subarray(16, 24)]).toEqual([...k]);
  });

  it.each([INT8, INT4, { bits: 8, groupSize: 64, sparsity: 0.25 } as KvQuantOptions])("quantized %o: reads back quantize -> dequantize of each written position", (o) => {
    const kvHeads = 2;
    const headDim = 64;
    const width = kvHeads * headDim;
    const cache = new QuantizedKvCache(2, 5, kvHeads, headDim, o);
    const rows = Array.from({ length: 5 }, (_, p) => gaussian(width, 10 + p));
    rows.forEach((r, p) => cache.write(1, p, r, r.map((v) => -v)));
    const keys = cache.keys(1, 5).slice(0, 5 * width);
    const values = cache.values(1, 5).slice(0, 5 * width);
    rows.forEach((r, p) => {
      for (const [x, read] of [
        [r, keys],
        [r.map((v) => -v), values],
      ] as const) {
        const codes = new Int8Array(width);
        const scales = new Float32Array(width / o.groupSize);
        quantizeGroups(x, codes, scales, o);
        const expected = new Float32Array(width);
        dequantizeGroups(codes, scales, o.groupSize, expected);
        expect(read.subarray(p * width, (p + 1) * width)).toEqual(expected);
      }
    });
  });

  it.each([INT8, INT4, { ...INT4, sparsity: 0.5 } as KvQuantOptions])("quantized %o: any order of writes (rewrites of earlier slots too) and reads of either layer reads back the latest quantize -> dequantize of every position", (o) => {
    const kvHeads = 1;
    const headDim = 32;
    const capacity = 6;
    const op = fc.oneof(
      fc.record({ write: fc.constant(true), layer: fc.integer({ min: 0, max: 1 }), position: fc.integer({ min: 0, max: capacity - 1 }), seed: fc.integer({ min: 1, max: 1000 }) }),
      fc.record({ write: fc.constant(false), layer: fc.integer({ min: 0, max: 1 }), position: fc.integer({ min: 1, max: capacity }), seed: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const cache = new QuantizedKvCache(2, capacity, kvHeads, headDim, o);
        // the expectation: each slot's latest write, quantized and dequantized on its own
        const latest = [0, 1].map(() => Array.from({ length: capacity }, (): Float32Array | null => null));
        for (const { write, layer, position, seed } of ops) {
          if (write) {
            const x = gaussian(headDim, seed);
            cache.write(layer, position, x, x);
            const codes = new Int8Array(headDim);
            const scales = new Float32Array(headDim / o.groupSize);
            quantizeGroups(x, codes, scales, o);
            latest[layer][position] = new Float32Array(headDim);
            dequantizeGroups(codes, scales, o.groupSize, latest[layer][position]);
            continue;
          }
          const keys = cache.keys(layer, position);
          for (let p = 0; p < position; p++) {
            const expected = latest[layer][p];
            if (expected) expect(keys.subarray(p * headDim, (p + 1) * headDim)).toEqual(expected);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("a session with an int8 cache follows the float32 one closely (logits within about 10^(-44/20)); int4 less closely; the unsigned-range scale far off", () => {
    const model = randomModel(ARCH, "f32", 3);
    const tokens = Array.from({ length: 24 }, (_, i) => (i * 37 + 11) % ARCH.vocabSize);
    const run = (kv: KvQuantOptions | null, hooks: EngineHooks = NO_HOOKS) => {
      const s = new Session(model, cpuKernels, 32, hooks, kv);
      return tokens.map((t) => Float32Array.from(s.step(t) as Float32Array));
    };
    const base = run(null);
    // The largest relative RMS difference of the logits over the steps.
    const worst = (other: Float32Array[]) =>
      Math.max(
        ...other.map((l, i) => {
          let e = 0;
          let r = 0;
          for (let j = 0; j < l.length; j++) ((e += (l[j] - base[i][j]) ** 2), (r += base[i][j] ** 2));
          return Math.sqrt(e / r);
        }),
      );
    const int8 = worst(run(INT8));
    const int4 = worst(run(INT4));
    const faulty = worst(run(INT8, { kvScaleUnsignedRange: true }));
    expect(int8).toBeGreaterThan(0); // the cache is really quantized
    expect(int8).toBeLessThan(2e-2); // measured 1e-2 at worst: a random model passes v's 44 dB error straight on
    expect(int4).toBeGreaterThan(int8 * 5);
    expect(faulty).toBeGreaterThan(int8 * 20);
    expect(run(null)).toEqual(base); // deterministic, and the float path untouched by the others
  });

  it("EngineModel's kv option reaches its sessions; int8 greedy leaves float32's only at a near-tie; a group not dividing head_dim is refused", () => {
    const source = openSource(tinyGguf("llama", "f32", { hidden_size: 128 })); // head_dim 32
    const int8 = new EngineModel(source, cpuKernels, NO_HOOKS, { kv: INT8 });
    expect(int8.kv).toEqual(INT8);
    expect(int8.session(8, null).cache).toBeInstanceOf(FloatKvCache);
    expect(int8.session(8).cache).toBeInstanceOf(QuantizedKvCache);
    // A random model has top-2 margins of a few hundredths: int8 may flip those, never a clear choice.
    for (const prompt of ["The capital of France is", "1 + 1 =", "def f(x):", "Hello"]) {
      const float = new EngineModel(source, cpuKernels).generate(prompt, 16, 2);
      const quantized = int8.generate(prompt, 16, 0);
      const step = float.tokens.findIndex((t, i) => t !== quantized.tokens[i]);
      if (step >= 0) expect(float.topk[step][0].logprob - float.topk[step][1].logprob, prompt).toBeLessThan(0.25);
    }
    expect(() => new EngineModel(source, cpuKernels, NO_HOOKS, { kv: { ...INT8, groupSize: 64 } })).toThrow(/group size 64 does not divide head_dim 32/);
  });
});
