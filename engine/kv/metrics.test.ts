// The KV metrics against closed forms worked out by hand, and the quality levels at their
// floors. Quantization of constant and two-valued tensors, where the result is known exactly.

import { describe, expect, it } from "vitest";
import { ErrorAccumulator, errorMetrics, qualityLevel, qualityViolations } from "./metrics.ts";
import { dequantizeGroups, quantizeGroups, roundToHalf, type KvQuantOptions } from "./quantize.ts";

const filled = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));

describe("error metrics, closed forms", () => {
  it("identical tensors: RMSE 0, SNR +inf, cosine 1, max error 0", () => {
    const x = filled(64, (i) => Math.sin(i) * 3);
    expect(errorMetrics(x, x.slice())).toEqual({ count: 64, rmse: 0, snrDb: Infinity, cosine: 1, maxAbsError: 0 });
  });

  it("a constant c reconstructed as c + d: RMSE |d|, SNR 20 log10(c/d), cosine 1, max |d|", () => {
    const m = errorMetrics(filled(100, () => 2), filled(100, () => 2.5));
    expect(m.rmse).toBeCloseTo(0.5, 12);
    expect(m.snrDb).toBeCloseTo(20 * Math.log10(2 / 0.5), 10); // 12.0412 dB
    expect(m.cosine).toBeCloseTo(1, 12);
    expect(m.maxAbsError).toBe(0.5);
  });

  it("two values swapped, [3, 4] -> [4, 3]: RMSE 1, SNR 10 log10(25 / 2), cosine 24 / 25, max 1", () => {
    const m = errorMetrics(new Float32Array([3, 4]), new Float32Array([4, 3]));
    expect(m.rmse).toBe(1);
    expect(m.snrDb).toBeCloseTo(10 * Math.log10(12.5), 12);
    expect(m.cosine).toBeCloseTo(0.96, 12);
    expect(m.maxAbsError).toBe(1);
  });

  it("a sign flip of +-1: RMSE 2, SNR -6.02 dB, cosine -1; orthogonal unit vectors: SNR -3.01 dB, cosine 0", () => {
    const x = filled(10, (i) => (i % 2 ? -1 : 1));
    const flip = errorMetrics(x, x.map((v) => -v));
    expect(flip.rmse).toBe(2);
    expect(flip.snrDb).toBeCloseTo(-10 * Math.log10(4), 12);
    expect(flip.cosine).toBe(-1);
    const orth = errorMetrics(new Float32Array([1, 0]), new Float32Array([0, 1]));
    expect(orth.snrDb).toBeCloseTo(-10 * Math.log10(2), 12);
    expect(orth.cosine).toBe(0);
  });

  it("all-zero signal: SNR -inf and cosine 0 against a nonzero reconstruction, +inf and 1 against zeros", () => {
    const zero = new Float32Array(8);
    expect(errorMetrics(zero, filled(8, () => 1))).toMatchObject({ snrDb: -Infinity, cosine: 0, rmse: 1 });
    expect(errorMetrics(zero, zero)).toMatchObject({ snrDb: Infinity, cosine: 1, rmse: 0 });
  });

  it("the accumulator pools tensors as one: metrics of parts added = metrics of the concatenation", () => {
    const a = filled(50, (i) => Math.cos(i));
    const b = filled(30, (i) => i / 7 - 2);
    const ya = a.map((v) => v + 0.01 * Math.sin(3 * v));
    const yb = b.map((v) => v * 0.99);
    const joined = errorMetrics(Float32Array.from([...a, ...b]), Float32Array.from([...ya, ...yb]));
    const pooled = new ErrorAccumulator().add(a, ya).add(b, yb).metrics();
    expect(pooled.count).toBe(80);
    for (const k of ["rmse", "snrDb", "cosine", "maxAbsError"] as const) expect(pooled[k]).toBeCloseTo(joined[k], 12);
  });

  it("NaN in a reconstruction shows as NaN error, never as a perfect score", () => {
    const m = errorMetrics(new Float32Array([1, 2]), new Float32Array([1, NaN]));
    expect(m.maxAbsError).toBeNaN();
    expect(qualityLevel(m)).toBe("POOR");
  });
});

describe("quality levels", () => {
  it("take the best level whose SNR and cosine floors both hold; the worse of the two decides", () => {
    expect(qualityLevel({ snrDb: Infinity, cosine: 1 })).toBe("EXCELLENT");
    expect(qualityLevel({ snrDb: 40, cosine: 0.9999 })).toBe("EXCELLENT");
    expect(qualityLevel({ snrDb: 39.99, cosine: 0.99999 })).toBe("GOOD");
    expect(qualityLevel({ snrDb: 45, cosine: 0.9998 })).toBe("GOOD");
    expect(qualityLevel({ snrDb: 18, cosine: 0.99 })).toBe("GOOD");
    expect(qualityLevel({ snrDb: 17.9, cosine: 0.999 })).toBe("ACCEPTABLE");
    expect(qualityLevel({ snrDb: 12, cosine: 0.96 })).toBe("ACCEPTABLE");
    expect(qualityLevel({ snrDb: 30, cosine: 0.95 })).toBe("POOR");
    expect(qualityLevel({ snrDb: 11.9, cosine: 0.999 })).toBe("POOR");
  });

  it("violations name the metric and the floor missed", () => {
    expect(qualityViolations({ snrDb: 15, cosine: 0.95 }, "GOOD")).toEqual(["SNR 15.00 dB < 18 dB", "cosine 0.950000 < 0.99"]);
    expect(qualityViolations({ snrDb: 50, cosine: 1 }, "EXCELLENT")).toEqual([]);
  });
});

describe("quantization of tensors with a known answer", () => {
  const roundTrip = (x: Float32Array, o: KvQuantOptions) => {
    const codes = new Int8Array(x.length);
    const scales = new Float32Array(x.length / o.groupSize);
    quantizeGroups(x, codes, scales, o);
    const y = new Float32Array(x.length);
    dequantizeGroups(codes, scales, o.groupSize, y);
    return { codes, scales, y };
  };

  it("a constant c: every code is qmax, every value qmax * f16(c / qmax)", () => {
    for (const [bits, qmax] of [[8, 127], [4, 7]] as const) {
      const { codes, scales, y } = roundTrip(filled(64, () => 1.3), { bits, groupSize: 32, sparsity: 0 });
      const scale = roundToHalf(1.3 / qmax);
      expect([...codes]).toEqual(Array(64).fill(qmax));
      expect([...scales]).toEqual([scale, scale]);
      const m = errorMetrics(filled(64, () => 1.3), y);
      expect(m.maxAbsError).toBeCloseTo(Math.abs(1.3 - qmax * scale), 6);
      expect(m.cosine).toBeCloseTo(1, 12);
    }
  });

  it("two values +-a: codes +-qmax, and an all-zero group stays zero with scale 0", () => {
    const x = filled(64, (i) => (i >= 32 ? 0 : i % 2 ? -0.75 : 0.75));
    const { codes, scales, y } = roundTrip(x, { bits: 8, groupSize: 32, sparsity: 0 });
    expect([...codes.subarray(0, 4)]).toEqual([127, -127, 127, -127]);
    expect(scales[1]).toBe(0);
    expect([...y.subarray(32)]).toEqual(Array(32).fill(0));
    expect(errorMetrics(x, y).maxAbsError).toBeCloseTo(Math.abs(0.75 - 127 * roundToHalf(0.75 / 127)), 7);
  });

  it("sparsity 0.5 of a group 1..32: the 16 smallest are zero, the rest quantized", () => {
    const x = filled(32, (i) => (i % 2 ? -1 : 1) * (i + 1));
    const { y } = roundTrip(x, { bits: 8, groupSize: 32, sparsity: 0.5 });
    for (let i = 0; i < 16; i++) expect(y[i]).toBe(0);
    for (let i = 16; i < 32; i++) expect(Math.abs(y[i] - x[i])).toBeLessThanOrEqual(roundToHalf(32 / 127) / 2);
  });

  it("Gaussian groups land where the level floors say: int8 >= 40 dB (EXCELLENT), int4 group 32 >= 18 dB (GOOD)", () => {
    let s = 12345;
    const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) + 1) / 2147483649;
    const x = filled(32 * 2048, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
    const int8 = errorMetrics(x, roundTrip(x, { bits: 8, groupSize: 128, sparsity: 0 }).y);
    const int4 = errorMetrics(x, roundTrip(x, { bits: 4, groupSize: 32, sparsity: 0 }).y);
    expect(int8.snrDb).toBeGreaterThan(43);
    expect(qualityLevel(int8)).toBe("EXCELLENT");
    expect(int4.snrDb).toBeGreaterThan(19.5);
    expect(int4.snrDb).toBeLessThan(21);
    expect(qualityLevel(int4)).toBe("GOOD");
  });
});
