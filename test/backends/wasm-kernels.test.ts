// The cpu-wasm backend against the TypeScript reference (engine/backends/cpu), kernel by
// kernel over random shapes, in the manner of llama.cpp's test-backend-ops: normalized mean
// squared error under 1e-7, under 5e-4 for the matrix products, and bit-identical results
// where the arithmetic is the same (k-quant products, norms, RoPE, argmax).
// Two backends run every property: 2 threads with every product split into chunks, and 1 thread.

import { plainRopeFrequencies } from "../../engine/backends/rope-frequencies.ts";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpuKernels } from "../../engine/backends/cpu/kernels.ts";
import { createWasmKernels, type WasmKernels } from "../../engine/backends/wasm/kernels.ts";
import { availableKernelVariants, type KernelVariant, MAX_THREADS, wasmMemory64Available, wasmRelaxedSimdAvailable } from "../../engine/backends/wasm/module.ts";
import { revectorizationAvailable } from "../../engine/backends/wasm/revectorize.ts";
import { describeKernels } from "../../runtimes/backends.ts";
import type { Matrix } from "../../engine/model/weights.ts";
import { floatRow } from "../../engine/quant/testing/arbitraries.ts";
import { dequantizeRowQ8_0 } from "../../engine/quant/q8_0.ts";
import { QUANT_TYPES, rowByteLength } from "../../engine/quant/types.ts";
import type { QuantDType } from "../../engine/tensor.ts";
import { NMSE_DEFAULT, NMSE_PRODUCT, nmse } from "../../engine/backends/agreement.ts";
import { gaussian } from "../../engine/backends/random-inputs.ts";
import { quantizedMatrix } from "./quantized-matrix.ts";

/** Indices where the two differ bit for bit (NaN equals NaN), with both values: the evidence. */
function bitDifferences(observed: Float32Array, expected: Float32Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < expected.length; i++) if (!Object.is(observed[i], expected[i])) out.push(`[${i}] ${observed[i]} != ${expected[i]}`);
  return out.slice(0, 5);
}

// Every variant this runtime can run: the SIMD kernels everywhere, the relaxed ones where the
// runtime has relaxed SIMD, the revectorized ones where it revectorizes too (Node 24 on x64 with
// AVX2; CI runs the tests on Node 20 and 24, so every path is covered).
const VARIANTS: KernelVariant[] = availableKernelVariants();
// And over a 64-bit memory where the runtime has one (Node 24): weights above 4 GiB, reached through the rewritten kernels (wat-memory64.ts).
const MEMORY64 = wasmMemory64Available();
const all: [string, WasmKernels][] = [];
/** Row r of a quantized matrix as a matrix of its own. */
const quantizedRow = (w: Matrix, r: number, rowBytes: number): Matrix => ({ kind: "quant", name: `${w.name}[${r}]`, type: (w as Extract<Matrix, { kind: "quant" }>).type, rows: 1, cols: w.cols, data: (w.data as Uint8Array).slice(r * rowBytes, (r + 1) * rowBytes) });
/** the SIMD variant's: what the tests of one backend's buffers and shape checks use */
let threaded: WasmKernels;
let single: WasmKernels;
beforeAll(async () => {
  for (const variant of VARIANTS) {
    all.push([`${variant}, 2 threads`, await createWasmKernels({ threads: 2, minParallelBytes: 0, spinMicros: 50, variant })]);
    all.push([`${variant}, 1 thread`, await createWasmKernels({ threads: 1, variant })]);
    if (MEMORY64) all.push([`${variant}, memory64, 2 threads`, await createWasmKernels({ threads: 2, minParallelBytes: 0, spinMicros: 50, variant, addressing: "memory64" })]);
  }
  [[, threaded], [, single]] = all;
});
afterAll(async () => {
  for (const [, k] of all.splice(0)) await k.close();
});
const backends = (): [string, WasmKernels][] => all;

describe("matrix products", () => {
  it(`f32: NMSE <= ${NMSE_PRODUCT} against the float64-accumulating reference, with and without bias`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 1 << 30 }), fc.boolean(), (rows, cols, seed, withBias) => {
        const w: Matrix = { kind: "f32", name: "w", rows, cols, data: gaussian(rows * cols, seed) };
        const x = gaussian(cols, seed + 1);
        const bias = withBias ? gaussian(rows, seed + 2) : null;
        const expected = new Float32Array(rows);
        cpuKernels.matvec(w, x, expected, bias);
        for (const [label, k] of backends()) {
          const observed = new Float32Array(rows);
          k.matvec(w, x, observed, bias);
          const e = nmse(expected, observed);
          expect(e, `[MUL_MAT f32 ${label}] rows=${rows} cols=${cols} NMSE = ${e} > ${NMSE_PRODUCT}`).toBeLessThanOrEqual(NMSE_PRODUCT);
        }
      }),
      { numRuns: 40 },
    );
  });

  const blockOf: Record<QuantDType, number> = { q8_0: 32, q4_0: 32, q4_k: 256, q6_k: 256 };
  /** Weights and activations (random shapes, every kind of row) for the product properties. */
  const productCase = (block: number) =>
    fc
      .record({ rows: fc.integer({ min: 1, max: 12 }), blocks: fc.integer({ min: 1, max: block === 32 ? 9 : 2 }) })
      .chain(({ rows, blocks }) => fc.tuple(fc.constant(rows), fc.constant(blocks * block), floatRow(rows * blocks * block), floatRow(blocks * block)));

  for (const type of ["q4_k", "q6_k"] as const) {
    it(`${type}: bit-identical to engine/quant (activation quantized as llama.cpp, integer dots, same float order)`, () => {
      fc.assert(
        fc.property(productCase(blockOf[type]), ([rows, cols, values, x]) => {
          const w = quantizedMatrix(type, rows, cols, values);
          const expected = new Float32Array(rows);
          cpuKernels.matvec(w, x, expected, null);
          for (const [label, k] of backends()) {
            const observed = new Float32Array(rows);
            k.matvec(w, x, observed, null);
            expect(bitDifferences(observed, expected), `[MUL_MAT ${type} ${label}] rows=${rows} cols=${cols}`).toEqual([]);
          }
        }),
        { numRuns: 40 },
      );
    });
  }

  // Q8_0 and Q4_0 sum the same exact integer block dots, scaled by the same dw * da, in 4 float
  // lanes instead of one scalar: the reorder moves each result by at most the float32 summation
  // bound (Higham: gamma_n times the sum of |terms|, with n = blocks + lanes; the reference
  // rounds each term twice more), taken twice for the two orders. sum |terms| <= sum_i |w_i a_i|
  // over the dequantized weight and activation, computed here in float64.
  for (const type of ["q8_0", "q4_0"] as const) {
    it(`${type}: within float32 reordering error of engine/quant on every row, NMSE <= ${NMSE_PRODUCT}`, () => {
      const t = QUANT_TYPES[type];
      fc.assert(
        fc.property(productCase(32), ([rows, cols, values, x]) => {
          const w = quantizedMatrix(type, rows, cols, values);
          const expected = new Float32Array(rows);
          cpuKernels.matvec(w, x, expected, null);
          const a = dequantizeRowQ8_0(t.quantizeActivation(x));
          const rowBytes = rowByteLength(t, cols);
          const bounds = Array.from({ length: rows }, (_, r) => {
            const wr = t.dequantizeRow((w.data as Uint8Array).subarray(r * rowBytes, (r + 1) * rowBytes));
            const sumAbs = wr.reduce((s, v, i) => s + Math.abs(v * a[i]), 0);
            return 2 * ((cols / 32 + 6) * 2 ** -24) * sumAbs;
          });
          for (const [label, k] of backends()) {
            const observed = new Float32Array(rows);
            k.matvec(w, x, observed, null);
            const outside = bounds.flatMap((bound, r) => (Math.abs(observed[r] - expected[r]) <= bound ? [] : [`[${r}] ${observed[r]} vs ${expected[r]}, bound ${bound}`]));
            expect(outside, `[MUL_MAT ${type} ${label}] rows=${rows} cols=${cols}`).toEqual([]);
            expect(nmse(expected, observed)).toBeLessThanOrEqual(NMSE_PRODUCT);
          }
        }),
        { numRuns: 40 },
      );
    });
  }

  it("every row of a product is the same bits however many rows the matrix has (a kernel that grouped rows, or threads that split them, must not change a row)", () => {
    for (const type of ["q8_0", "q4_0"] as const) {
      const rows = 7;
      const cols = 96;
      const w = quantizedMatrix(type, rows, cols, gaussian(rows * cols, 21));
      const x = gaussian(cols, 22);
      const rowBytes = rowByteLength(QUANT_TYPES[type], cols);
      for (const [label, k] of backends()) {
        const whole = new Float32Array(rows);
        k.matvec(w, x, whole, null);
        const alone = Float32Array.from({ length: rows }, (_, r) => {
          const one = new Float32Array(1);
          k.matvec(quantizedRow(w, r, rowBytes), x, one, null);
          return one[0];
        });
        expect(bitDifferences(whole, alone), `[MUL_MAT ${type} ${label}]`).toEqual([]);
      }
    }
  });

  it("a non-finite activation gives NaN in every output of a quantized product, as engine/quant", () => {
    const w = quantizedMatrix("q4_k", 3, 256, gaussian(768, 5));
    const x = gaussian(256, 6);
    x[17] = Infinity;
    const out = new Float32Array(3);
    threaded.matvec(w, x, out, null);
    expect(Array.from(out).every(Number.isNaN)).toBe(true);
  });

  it("refuses a quantized matrix whose bytes do not fill its shape (KERNEL_SHAPE), before reading memory", () => {
    const w = quantizedMatrix("q8_0", 4, 64, gaussian(256, 7));
    const short: Matrix = { ...w, data: w.data.subarray(0, w.data.length - 1) } as Matrix;
    expect(() => threaded.matvec(short, gaussian(64, 8), new Float32Array(4), null)).toThrow(expect.objectContaining({ code: "KERNEL_SHAPE" }));
  });
});

describe("vector kernels", () => {
  it("rmsNorm and layerNorm: bit-identical (same float64 arithmetic in the same order)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 1 << 30 }), (n, seed) => {
        const x = gaussian(n, seed, 3);
        const w = gaussian(n, seed + 1);
        const b = gaussian(n, seed + 2);
        const expected = new Float32Array(n);
        const observed = new Float32Array(n);
        cpuKernels.rmsNorm(x, w, 1e-5, expected);
        single.rmsNorm(x, w, 1e-5, observed);
        expect(bitDifferences(observed, expected), `[RMS_NORM] n=${n}`).toEqual([]);
        cpuKernels.layerNorm(x, w, b, 1e-5, expected);
        single.layerNorm(x, w, b, 1e-5, observed);
        expect(bitDifferences(observed, expected), `[NORM] n=${n}`).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it("rmsNormTokens: each row bit for bit rmsNorm's, groups of four rows and the rest, one thread or two", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 1 << 30 }), (n, tokens, seed) => {
        const x = gaussian(n * tokens, seed, 3);
        const w = gaussian(n, seed + 1);
        const expected = new Float32Array(n * tokens);
        for (let t = 0; t < tokens; t++) cpuKernels.rmsNorm(x.subarray(t * n, (t + 1) * n), w, 1e-5, expected.subarray(t * n, (t + 1) * n));
        for (const k of [single, threaded]) {
          const observed = new Float32Array(n * tokens);
          k.rmsNormTokens(x, w, 1e-5, observed, tokens);
          expect(bitDifferences(observed, expected), `[RMS_NORM] n=${n} tokens=${tokens}`).toEqual([]);
        }
      }),
      { numRuns: 40 },
    );
    expect(() => single.rmsNormTokens(gaussian(10, 1), gaussian(4, 2), 1e-5, new Float32Array(12), 3)).toThrow(expect.objectContaining({ code: "KERNEL_SHAPE" }));
  });

  it("addInPlace: each sum the float32 rounding of x + y, as the session's loop (in the memory and outside it)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 1 << 30 }), (n, seed) => {
        const x = gaussian(n, seed, 1e3);
        const y = gaussian(n, seed + 1, 1e-3);
        const expected = x.map((v, i) => Math.fround(v + y[i]));
        const inMemory = single.allocate(n);
        const yInMemory = single.allocate(n);
        inMemory.set(x);
        yInMemory.set(y);
        single.addInPlace(inMemory, yInMemory);
        const outside = x.slice();
        single.addInPlace(outside, y);
        expect(bitDifferences(inMemory, expected), `in memory n=${n}`).toEqual([]);
        expect(bitDifferences(outside, expected), `outside n=${n}`).toEqual([]);
        single.release(inMemory);
        single.release(yInMemory);
      }),
      { numRuns: 30 },
    );
  });

  it("rope: bit-identical at any position, head count and even head size", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 32 }), fc.integer({ min: 0, max: 4096 }), fc.constantFrom(10000, 1000000), fc.integer({ min: 1, max: 1 << 30 }), (heads, halfDim, position, theta, seed) => {
        const headDim = 2 * halfDim;
        const expected = gaussian(heads * headDim, seed);
        const observed = expected.slice();
        cpuKernels.rope(expected, heads, headDim, position, plainRopeFrequencies(headDim, theta));
        single.rope(observed, heads, headDim, position, plainRopeFrequencies(headDim, theta));
        expect(bitDifferences(observed, expected), `[ROPE] heads=${heads} headDim=${headDim} position=${position}`).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it(`swiglu: each value within 5e-7 (relative) of up * gate / (1 + e^-gate) in float64, NaN kept, NMSE <= ${NMSE_DEFAULT}`, () => {
    const extremes = [0, -0, 1e-30, -1e-30, 20, -20, 87, -87, 100, -100, 1e4, -1e4, NaN];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 1 << 30 }), (n, seed) => {
        const gate = gaussian(n, seed, 4);
        extremes.forEach((v, i) => i < n && (gate[(seed + i * 7) % n] = v));
        const up = gaussian(n, seed + 1);
        const expected = up.map((u, i) => u * (gate[i] / (1 + Math.exp(-gate[i]))));
        for (const [label, k] of backends()) {
          for (const observed of [up.slice(), k.allocate(n)]) {
            observed.set(up);
            k.swiglu(gate, observed);
            const off = Array.from(observed).flatMap((o, i) => ((Number.isNaN(expected[i]) ? Number.isNaN(o) : Math.abs(o - expected[i]) <= 5e-7 * Math.abs(expected[i]) + 1e-30) ? [] : [`[${i}] gate ${gate[i]}: ${o} vs ${expected[i]}`]));
            expect(off, `[SWIGLU ${label}] n=${n}`).toEqual([]);
            expect(nmse(expected, observed)).toBeLessThanOrEqual(NMSE_DEFAULT);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it(`softmax: NMSE <= ${NMSE_DEFAULT} (exp is a polynomial in WebAssembly)`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.integer({ min: 1, max: 1 << 30 }), (n, scale, seed) => {
        const expected = gaussian(n, seed, scale);
        const observed = expected.slice();
        cpuKernels.softmax(expected, n);
        single.softmax(observed, n);
        const e = nmse(expected, observed);
        expect(e, `[SOFT_MAX] n=${n} scale=${scale} NMSE = ${e} > ${NMSE_DEFAULT}`).toBeLessThanOrEqual(NMSE_DEFAULT);
      }),
      { numRuns: 40 },
    );
  });

  it(`attention over a KV cache, grouped-query included: NMSE <= ${NMSE_DEFAULT}`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 1 << 30 }),
        (kvHeads, group, quarterDim, length, seed) => {
          const shape = { heads: kvHeads * group, kvHeads, headDim: 4 * quarterDim };
          const q = gaussian(shape.heads * shape.headDim, seed, 2);
          const keys = gaussian(length * kvHeads * shape.headDim, seed + 1);
          const values = gaussian(length * kvHeads * shape.headDim, seed + 2);
          const expected = new Float32Array(q.length);
          cpuKernels.attention(q, keys, values, length, shape, expected);
          for (const [label, k] of backends()) {
            const observed = new Float32Array(q.length);
            k.attention(q, keys, values, length, shape, observed);
            const e = nmse(expected, observed);
            expect(e, `[ATTN ${label}] heads=${shape.heads} kvHeads=${kvHeads} headDim=${shape.headDim} length=${length} NMSE = ${e}`).toBeLessThanOrEqual(NMSE_DEFAULT);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("attentionTokens: a prompt's queries as one task, each token bit for bit its own attention call over its prefix", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 1 << 30 }),
        (kvHeads, group, quarterDim, firstLength, tokens, seed) => {
          const shape = { heads: kvHeads * group, kvHeads, headDim: 4 * quarterDim };
          const qWidth = shape.heads * shape.headDim;
          const kvWidth = kvHeads * shape.headDim;
          const length = firstLength + tokens - 1;
          const q = gaussian(tokens * qWidth, seed, 2);
          const keys = gaussian(length * kvWidth, seed + 1);
          const values = gaussian(length * kvWidth, seed + 2);
          for (const [label, k] of backends()) {
            const expected = new Float32Array(tokens * qWidth);
            for (let t = 0; t < tokens; t++) k.attention(q.subarray(t * qWidth, (t + 1) * qWidth), keys, values, firstLength + t, shape, expected.subarray(t * qWidth, (t + 1) * qWidth));
            const observed = new Float32Array(tokens * qWidth);
            k.attentionTokens?.(q, keys, values, firstLength, tokens, shape, observed);
            expect(bitDifferences(observed, expected), `[ATTN tokens ${label}] heads=${shape.heads} kvHeads=${kvHeads} headDim=${shape.headDim} first=${firstLength} tokens=${tokens}`).toEqual([]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("attentionTokens with a head size the kernels do not take (not a multiple of 4): each token as the reference's attention", () => {
    const shape = { heads: 2, kvHeads: 1, headDim: 6 };
    const [firstLength, tokens] = [3, 4];
    const q = gaussian(tokens * 12, 5);
    const keys = gaussian(6 * 6, 6);
    const values = gaussian(6 * 6, 7);
    const expected = new Float32Array(tokens * 12);
    for (let t = 0; t < tokens; t++) cpuKernels.attention(q.subarray(t * 12, (t + 1) * 12), keys, values, firstLength + t, shape, expected.subarray(t * 12, (t + 1) * 12));
    for (const [label, k] of backends()) {
      const observed = new Float32Array(tokens * 12);
      k.attentionTokens?.(q, keys, values, firstLength, tokens, shape, observed);
      expect(bitDifferences(observed, expected), label).toEqual([]);
    }
  });

  it("swiglu split across threads: the same bits as one thread computes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 1 << 30 }), (n, seed) => {
        const gate = gaussian(n, seed, 4);
        const up = gaussian(n, seed + 1);
        const expected = up.slice();
        single.swiglu(gate, expected);
        for (const [label, k] of backends()) {
          const observed = up.slice();
          k.swiglu(gate, observed);
          expect(bitDifferences(observed, expected), `[SWIGLU ${label}] n=${n}`).toEqual([]);
        }
      }),
      { numRuns: 30 },
    );
  });

  it("argmax: the first index of the largest value, ties and NaN as the reference", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(-1, 0, 2, 2, 3, NaN, -Infinity), { minLength: 1, maxLength: 50 }), (values) => {
        const x = Float32Array.from(values);
        expect(single.argmax(x)).toBe(cpuKernels.argmax(x));
      }),
    );
  });
});

describe("matvecs(): several products of one input as one task", () => {
  const TYPES: (QuantDType | "f32")[] = ["f32", "q8_0", "q4_0", "q4_k", "q6_k"];
  it.each(TYPES)("%s: bit-identical to one matvec per matrix, biases included, whether outputs live in the memory or not", (type) => {
    const cols = type === "q4_k" || type === "q6_k" ? 512 : 96;
    const shapes = [64, 16, 16, 3];
    const ws = shapes.map((rows, i): Matrix => {
      const values = gaussian(rows * cols, 40 + i);
      return type === "f32" ? { kind: "f32", name: `w${i}`, rows, cols, data: values } : quantizedMatrix(type, rows, cols, values);
    });
    const biases = shapes.map((rows, i) => (i === 1 ? null : gaussian(rows, 50 + i)));
    const x = gaussian(cols, 60);
    for (const [label, k] of backends()) {
      const expected = ws.map((w, i) => {
        const out = new Float32Array(w.rows);
        k.matvec(w, x, out, biases[i]);
        return out;
      });
      for (const outs of [shapes.map((rows) => k.allocate(rows)), shapes.map((rows) => new Float32Array(rows))]) {
        k.matvecs(ws, x, outs, biases);
        outs.forEach((out, i) => expect(bitDifferences(out, expected[i]), `${type} ${label} matrix ${i}`).toEqual([]));
      }
    }
  });

  it("an output (or input) shorter than a kernel writes (or reads) is refused before anything is written", () => {
    const w = quantizedMatrix("q8_0", 16, 64, gaussian(1024, 73));
    const x = gaussian(64, 74);
    const guard = threaded.allocate(32);
    const short = guard.subarray(0, 8); // in the memory, followed by values a write past 8 would clobber
    guard.fill(7);
    expect(() => threaded.matvec(w, x, short, null)).toThrow(expect.objectContaining({ code: "KERNEL_SHAPE" }));
    expect(() => threaded.matvecs([w, w], x, [threaded.allocate(16), short], [null, null])).toThrow(expect.objectContaining({ code: "KERNEL_SHAPE" }));
    expect(guard.every((v) => v === 7)).toBe(true);
    // norms, RoPE, softmax and attention: a short output or input is refused the same way
    const n = 16;
    expect(() => threaded.rmsNorm(gaussian(n, 1), gaussian(n, 2), 1e-5, short)).toThrow(expect.objectContaining({ code: "KERNEL_SHAPE" }));
    expect(() => threaded.rmsNorm(gaussian(n, 1), gaussian(n - 1, 2), 1e-5, threaded.allocate(n))).toThrow(expect.objectContaining({ code: "KERNEL_SHAPE" }));
    expect(() => threaded.rope(short, 1, 16, 3, plainRopeFrequencies(16, 10000))).toThrow(expect.objectContaining({ code: "KERNEL_SHAPE" }));
    expect(() => threaded.softmax(short, 16)).toThrow(expect.objectContaining({ code: "KERNEL_SHAPE" }));
    const shape = { heads: 2, kvHeads: 1, headDim: 8 };
    expect(() => threaded.attention(gaussian(16, 3), gaussian(8, 4), gaussian(24, 5), 3, shape, threaded.allocate(16))).toThrow(expect.objectContaining({ code: "KERNEL_SHAPE" }));
    expect(() => threaded.attention(gaussian(16, 3), gaussian(24, 4), gaussian(24, 5), 3, shape, short)).toThrow(expect.objectContaining({ code: "KERNEL_SHAPE" }));
    expect(guard.every((v) => v === 7)).toBe(true);
  });

  it("mixed weight types or widths: each product on its own, same results", () => {
    const a = quantizedMatrix("q8_0", 8, 64, gaussian(512, 70));
    const b = quantizedMatrix("q4_0", 8, 64, gaussian(512, 71));
    const x = gaussian(64, 72);
    const expected = [a, b].map((w) => {
      const out = new Float32Array(8);
      single.matvec(w, x, out, null);
      return out;
    });
    const outs = [threaded.allocate(8), threaded.allocate(8)];
    threaded.matvecs([a, b], x, outs, [null, null]);
    outs.forEach((out, i) => expect(bitDifferences(out, expected[i])).toEqual([]));
  });
});

describe("buffers in the backend's memory", () => {
  it("allocate(): products, norms and attention read and write them in place with the same results as copies", () => {
    const k = threaded;
    const rows = 96;
    const cols = 256;
    const w = quantizedMatrix("q6_k", rows, cols, gaussian(rows * cols, 11));
    k.prepare(w);
    const x = gaussian(cols, 12);
    const copied = new Float32Array(rows);
    k.matvec(w, x, copied, null);
    const xIn = k.allocate(cols);
    xIn.set(x);
    const outIn = k.allocate(rows);
    k.matvec(w, xIn, outIn, null);
    expect(bitDifferences(outIn, copied)).toEqual([]);

    const normIn = k.allocate(cols);
    const normCopy = new Float32Array(cols);
    const weight = gaussian(cols, 13);
    k.rmsNorm(xIn, weight, 1e-6, normIn);
    cpuKernels.rmsNorm(x, weight, 1e-6, normCopy);
    expect(bitDifferences(normIn, normCopy)).toEqual([]);

    const shape = { heads: 4, kvHeads: 2, headDim: 8 };
    const keys = k.allocate(10 * 16);
    const values = k.allocate(10 * 16);
    keys.set(gaussian(160, 14));
    values.set(gaussian(160, 15));
    const q = k.allocate(32);
    q.set(gaussian(32, 16));
    const att = k.allocate(32);
    const ref = new Float32Array(32);
    k.attention(q, keys, values, 10, shape, att);
    cpuKernels.attention(q.slice(), keys.slice(), values.slice(), 10, shape, ref);
    expect(nmse(ref, att)).toBeLessThanOrEqual(NMSE_DEFAULT);
  });

  it("past 2 GiB of memory (offsets JavaScript's bitwise operators would wrap): weights, inputs, outputs and scratch there compute as below it", async () => {
    const k = await createWasmKernels({ threads: 1 });
    try {
      k.allocateBytes(2 ** 31 + 4096); // pages never touched: virtual size only
      const rows = 64;
      const cols = 256;
      const values = gaussian(rows * cols, 21);
      const w = k.prepare(quantizedMatrix("q8_0", rows, cols, values));
      expect(w.data.byteOffset).toBeGreaterThan(2 ** 31);
      const x = gaussian(cols, 22);
      const reference = new Float32Array(rows);
      cpuKernels.matvec(w, x, reference, null);
      const copied = new Float32Array(rows); // lives outside: copied out of scratch past 2 GiB
      k.matvec(w, x, copied, null);
      expect(nmse(reference, copied)).toBeLessThanOrEqual(NMSE_PRODUCT);
      const outs = [k.allocate(rows), k.allocate(rows)];
      expect(outs[1].byteOffset).toBeGreaterThan(2 ** 31);
      k.matvecs([w, w], x, outs, [null, null]);
      expect([...outs[0]]).toEqual([...copied]);
      expect([...outs[1]]).toEqual([...copied]);
      const norm = new Float32Array(cols);
      const normReference = new Float32Array(cols);
      const weight = gaussian(cols, 23);
      k.rmsNorm(x, weight, 1e-6, norm);
      cpuKernels.rmsNorm(x, weight, 1e-6, normReference);
      expect(bitDifferences(norm, normReference)).toEqual([]);
    } finally {
      await k.close();
    }
  });

  it("past 4 GiB (one 32-bit WebAssembly memory): a coded refusal naming the limit and the way out, nothing allocated", () => {
    const before = single.memoryBytes();
    expect(() => single.allocateBytes(2 ** 32)).toThrow(expect.objectContaining({ code: "WASM_MEMORY", message: expect.stringMatching(/ends at 4 GiB: use the cpu-ts backend/) }));
    expect(single.memoryBytes()).toBe(before);
    expect(single.allocate(4)).toHaveLength(4);
  });

  it("buffers handed out after the memory grew are the backend's: release() takes them, with several threaded backends growing in turn", async () => {
    // V8 may hand the main thread a new SharedArrayBuffer object for a grown shared memory after
    // the growth itself; a view made on an object the backend never registered was refused
    // (WASM_RELEASE), found with three such backends in one process
    const ks = await Promise.all([0, 1, 2].map(() => createWasmKernels({ threads: 2, minParallelBytes: 0, spinMicros: 50 })));
    try {
      const refused: string[] = [];
      for (let i = 0; i < 100; i++) {
        ks.forEach((k, j) => {
          const release = (b: Float32Array) => {
            try {
              k.release(b);
            } catch (e) {
              refused.push(`backend ${j}, round ${i}: ${(e as Error).message}`);
            }
          };
          release(k.allocate(1000)); // reused from the round before
          const w: Matrix = { kind: "f32", name: "w", rows: 64, cols: 64, data: k.allocate(4096) };
          k.matvec(w, k.allocate(64), k.allocate(64), null);
          k.allocate(30000 + i); // grows the memory every few rounds
          release(k.allocate(1000));
        });
      }
      expect(refused.slice(0, 3)).toEqual([]);
    } finally {
      for (const k of ks) await k.close();
    }
  });

  it("release(): a released buffer is reused, zeroed, by the next allocate() of its length", () => {
    const a = single.allocate(1000);
    a.fill(3);
    single.release(a);
    const used = single.memoryBytes();
    const b = single.allocate(1000);
    expect(single.memoryBytes()).toBe(used);
    expect(b.byteOffset).toBe(a.byteOffset);
    expect(b.every((v) => v === 0)).toBe(true);
    expect(() => single.release(new Float32Array(4))).toThrow(expect.objectContaining({ code: "WASM_RELEASE" }));
  });

  it("prepare(): the weight it returns lives in the memory and is used in place, never copied again", () => {
    const k = single;
    const source = quantizedMatrix("q4_0", 64, 128, gaussian(64 * 128, 17));
    const inPlace = k.prepare(source);
    expect(inPlace.data).not.toBe(source.data);
    expect(Array.from(inPlace.data)).toEqual(Array.from(source.data));
    const x = gaussian(128, 18);
    const reference = new Float32Array(64);
    threaded.matvec(source, x, reference, null);
    const observed = new Float32Array(64);
    k.matvec(inPlace, x, observed, null); // sizes the scratch
    const before = k.memoryBytes();
    k.matvec(inPlace, x, observed, null);
    k.matvec({ ...inPlace }, x, observed, null); // another Matrix object over the same bytes
    expect(k.memoryBytes(), "memory grew: the weight was copied").toBe(before);
    expect(bitDifferences(observed, reference)).toEqual([]);
  });
});

describe("SIMD probes", () => {
  it("the committed probe bytes are WABT's assembly of the probe texts", async () => {
    const { SIMD_PROBE, SIMD_PROBE_WAT, RELAXED_PROBE, RELAXED_PROBE_WAT, MEMORY64_PROBE, MEMORY64_PROBE_WAT, assembleWat } = await import("../../engine/backends/wasm/module.ts");
    expect(Array.from(await assembleWat(SIMD_PROBE_WAT, "probe.wat"))).toEqual(Array.from(SIMD_PROBE));
    expect(Array.from(await assembleWat(RELAXED_PROBE_WAT, "relaxed-probe.wat"))).toEqual(Array.from(RELAXED_PROBE));
    expect(Array.from(await assembleWat(MEMORY64_PROBE_WAT, "memory64-probe.wat"))).toEqual(Array.from(MEMORY64_PROBE));
  });

  it(`relaxed SIMD (${wasmRelaxedSimdAvailable() ? "present" : "absent"} on Node ${process.version}): the default kernels where present, a coded refusal where absent`, async () => {
    if (wasmRelaxedSimdAvailable()) {
      const k = await createWasmKernels({ threads: 1 });
      expect(k.variant).toBe(revectorizationAvailable() ? "revec" : "relaxed");
      await k.close();
    } else {
      await expect(createWasmKernels({ threads: 1, variant: "relaxed" })).rejects.toMatchObject({ code: "WASM_RELAXED_SIMD_MISSING" });
      const k = await createWasmKernels({ threads: 1 });
      expect(k.variant).toBe("simd");
      await k.close();
    }
  });

  it("every relaxed kernel replaces a base kernel of the same name (the helper it calls added), and the module compiles where relaxed SIMD exists", async () => {
    const { kernelText, kernelModule } = await import("../../engine/backends/wasm/module.ts");
    const { namedFunctions } = await import("../../engine/backends/wasm/wat-splice.ts");
    const base = namedFunctions(kernelText("simd"));
    const relaxed = namedFunctions(kernelText("relaxed"));
    expect([...relaxed.keys()]).toEqual([...base.keys(), "$quantize_block_q8_0"]);
    const changed = [...relaxed.keys()].filter((name) => relaxed.get(name) !== base.get(name));
    expect(changed).toEqual(["$quantize_q8_0", "$matvec_f32", "$matvec_q8_0", "$matvec_q4_0", "$matmul2_f32", "$matmul4_q8_0", "$matmul4_q4_0", "$quantize_block_q8_0"]);
    if (wasmRelaxedSimdAvailable()) await expect(kernelModule("relaxed")).resolves.toBeInstanceOf(WebAssembly.Module);
    else await expect(kernelModule("relaxed")).rejects.toThrow(/relaxed/);
  });

  it("the revectorized products replace relaxed ones of the same name, with the helpers they call added", async () => {
    const { kernelText } = await import("../../engine/backends/wasm/module.ts");
    const { namedFunctions } = await import("../../engine/backends/wasm/wat-splice.ts");
    const relaxed = namedFunctions(kernelText("relaxed"));
    const revec = namedFunctions(kernelText("revec"));
    expect([...revec.keys()]).toEqual([...relaxed.keys(), "$row_sum_f32", "$row_sum_pair", "$matmul2x2_f32", "$row_sum_q4_0"]);
    const changed = [...relaxed.keys()].filter((name) => relaxed.get(name) !== revec.get(name));
    expect(changed).toEqual(["$quantize_q8_0", "$matvec_f32", "$matvec_q8_0", "$matvec_q4_0", "$matmul2_f32", "$matmul4_f32", "$matmul4_q8_0", "$matmul4_q4_0", "$matmul8_q4_0"]);
  });

  it(`revectorization (${revectorizationAvailable() ? "present" : "absent"} on Node ${process.version} ${process.arch}): a coded refusal where absent`, async () => {
    if (revectorizationAvailable()) {
      const k = await createWasmKernels({ threads: 1, variant: "revec" });
      expect(describeKernels(k)).toBe("cpu-wasm (relaxed SIMD, revectorized to 256 bits)");
      await k.close();
    } else await expect(createWasmKernels({ threads: 1, variant: "revec" })).rejects.toMatchObject({ code: wasmRelaxedSimdAvailable() ? "WASM_REVECTORIZE_MISSING" : "WASM_RELAXED_SIMD_MISSING" });
  });

  it("refuses more threads than the scratch region holds (WASM_THREADS)", async () => {
    await expect(createWasmKernels({ threads: MAX_THREADS + 1 })).rejects.toMatchObject({ code: "WASM_THREADS" });
  });
});
