// scanValues counts what tensorStats counts (NaN, Inf, zeros over the dequantized values) for
// every dtype, without dequantizing q8_0 or q4_0: checked on random tensors whose blocks get
// zero, infinite and NaN scales and zeroed codes.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { QUANT_TYPES, type QuantName } from "../quant/types.ts";
import type { Tensor } from "../tensor.ts";
import { tensorStats } from "./stats.ts";
import { scanValues } from "./value-scan.ts";

const HALF = { zero: 0x0000, inf: 0x7c00, nan: 0x7e00 } as const;

function tensor(dtype: QuantName, values: Float32Array, rows: number): Tensor {
  const type = QUANT_TYPES[dtype];
  const cols = values.length / rows;
  const parts = Array.from({ length: rows }, (_, r) => type.quantizeRow(values.subarray(r * cols, (r + 1) * cols)));
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (data.set(p, at), at + p.length), 0);
  return { name: "t", dtype, shape: [rows, cols], data };
}

describe("scanValues", () => {
  it.each(["f32", "f16", "bf16", "q8_0", "q4_0", "q4_k", "q6_k"] as QuantName[])("%s: the counts of tensorStats", (dtype) => {
    const cols = dtype === "q4_k" || dtype === "q6_k" ? 256 : 64;
    fc.assert(
      fc.property(fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 2 * cols, maxLength: 2 * cols }), fc.array(fc.nat(2 * cols - 1), { maxLength: 20 }), fc.constantFrom(null, "zero", "inf", "nan"), (xs, zeroed, scale) => {
        const values = Float32Array.from(xs);
        for (const i of zeroed) values[i] = 0;
        const t = tensor(dtype, values, 2);
        if (scale && (dtype === "q8_0" || dtype === "q4_0")) {
          const h = HALF[scale];
          t.data[0] = h & 0xff; // the first block's fp16 scale
          t.data[1] = h >> 8;
        }
        const stats = tensorStats(t);
        expect(scanValues(t)).toEqual({ elements: stats.elements, nan: stats.nan, inf: stats.inf, zeros: stats.zeros });
      }),
      { numRuns: 60 },
    );
  });

  it("f32: NaN and both infinities told apart", () => {
    const t: Tensor = { name: "t", dtype: "f32", shape: [5], data: new Uint8Array(Float32Array.of(0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1).buffer) };
    expect(scanValues(t)).toEqual({ elements: 5, nan: 1, inf: 2, zeros: 1 });
  });
});
