import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dequantizeRowQ8_K, quantizeRowQ8_K } from "./q8_k.ts";
import { floatRow } from "./testing/arbitraries.ts";
import { specQ8_K } from "./testing/spec-decode.ts";

describe("Q8_K (activation format of the k-quant dot products)", () => {
  it("quantizes a known vector: max -127 gives iscale 1, d = 1, nearest_int ties to even", () => {
    const x = new Float32Array(256);
    x.set([-127, 2.5, 3.5, -2.5, 0.5, 100.25]);
    const { d, q, bsums } = specQ8_K(quantizeRowQ8_K(x));
    expect(d).toBe(1);
    expect(q.slice(0, 7)).toEqual([-127, 2, 4, -2, 0, 100, 0]);
    expect(bsums[0]).toBe(-127 + 2 + 4 - 2 + 0 + 100);
    expect(bsums.slice(1)).toEqual(new Array(15).fill(0));
  });

  it("an all-zero block is all zero bytes", () => {
    expect(quantizeRowQ8_K(new Float32Array(256))).toEqual(new Uint8Array(292));
  });

  // iscale = fl(-127/max), t = fl(iscale x) is within 127*2.0001u of -127x/max, q = round(t),
  // d = fl(1/iscale): |x - q d| <= (amax/127) (1/2 + 512u) = (amax/127) (1/2 + 2^-15).
  // Below amax = 127/FLT_MAX (~3.7e-37) -127/max overflows to inf and, as in ggml, every
  // quant is 0, so there the error is |x| <= amax.
  it("|x - q d| <= amax/127 (1/2 + 2^-15) (amax when -127/amax overflows); bsums sum 16 quants", () => {
    fc.assert(
      fc.property(floatRow(512), (x) => {
        const bytes = quantizeRowQ8_K(x);
        const y = dequantizeRowQ8_K(bytes);
        for (let b = 0; b < 2; b++) {
          const amax = Math.max(...x.subarray(256 * b, 256 * b + 256).map(Math.abs));
          const bound = amax < 3.8e-37 ? amax : (amax / 127) * (0.5 + 2 ** -15);
          const { d, q, bsums } = specQ8_K(bytes.subarray(292 * b, 292 * b + 292));
          for (let i = 0; i < 256; i++) {
            expect(Math.abs(x[256 * b + i] - q[i] * d)).toBeLessThanOrEqual(bound);
            expect(y[256 * b + i]).toBe(Math.fround(q[i] * d));
          }
          for (let g = 0; g < 16; g++) expect(bsums[g]).toBe(q.slice(16 * g, 16 * g + 16).reduce((s, v) => s + v, 0));
        }
      }),
      { numRuns: 200 },
    );
  });
});
