import { describe, expect, it } from "vitest";
import { RefuteError } from "../../core/errors.ts";
import { QUANT_TYPES, quantType, quantTypeByGgmlType, rowByteLength } from "./types.ts";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof RefuteError ? e.code : `not a RefuteError: ${String(e)}`;
  }
  return undefined;
}

describe("weight type table", () => {
  it("has llama.cpp's ids and block geometry", () => {
    const geometry = Object.values(QUANT_TYPES).map((t) => [t.name, t.ggmlType, t.blockSize, t.bytesPerBlock, t.activation]);
    expect(geometry).toEqual([
      ["f32", 0, 1, 4, "f32"],
      ["f16", 1, 1, 2, "f16"],
      ["bf16", 30, 1, 2, "bf16"],
      ["q8_0", 8, 32, 34, "q8_0"],
      ["q4_0", 2, 32, 18, "q8_0"],
      ["q4_k", 12, 256, 144, "q8_k"],
      ["q6_k", 14, 256, 210, "q8_k"],
    ]);
    expect(quantTypeByGgmlType(12)?.name).toBe("q4_k");
    expect(quantTypeByGgmlType(3)).toBeUndefined();
  });

  it("quantizes a row into whole blocks and back into as many values", () => {
    const x = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) * 3);
    for (const t of Object.values(QUANT_TYPES)) {
      const bytes = t.quantizeRow(x);
      expect(bytes.length).toBe(rowByteLength(t, 512));
      expect(bytes.length).toBe((512 / t.blockSize) * t.bytesPerBlock);
      expect(t.dequantizeRow(bytes).length).toBe(512);
    }
  });

  it("refuses what it cannot quantize faithfully, with stable codes", () => {
    const nan = new Float32Array(256);
    nan[7] = NaN;
    const huge = new Float32Array(256).fill(1e9);
    expect(codeOf(() => quantType("q8_0").quantizeRow(nan))).toBe("QUANT_NON_FINITE");
    expect(codeOf(() => quantType("f32").quantizeRow(nan))).toBe("QUANT_NON_FINITE");
    expect(codeOf(() => quantType("q8_0").quantizeRow(huge))).toBe("QUANT_OVERFLOW"); // d = 1e9/127 > 65504
    expect(codeOf(() => quantType("f16").quantizeRow(new Float32Array([70000])))).toBe("QUANT_OVERFLOW");
    expect(codeOf(() => quantType("q4_k").quantizeRow(new Float32Array(100)))).toBe("QUANT_BAD_LENGTH");
    expect(codeOf(() => quantType("q6_k").dequantizeRow(new Uint8Array(211)))).toBe("QUANT_BAD_LENGTH");
    expect(codeOf(() => quantType("q5_k"))).toBe("QUANT_UNKNOWN_TYPE");
    expect(codeOf(() => quantType("q4_0").vecDot(new Uint8Array(18), new Uint8Array(68)))).toBe("QUANT_BAD_LENGTH");
  });
});

describe("float dot products (ggml's scalar code: products in f32, sum in f64)", () => {
  it("f32, f16 and bf16 weights dot their own activation format", () => {
    const w = Float32Array.from({ length: 64 }, (_, i) => (i % 7) - 3.25);
    const x = Float32Array.from({ length: 64 }, (_, i) => 1 / (i + 1));
    for (const name of ["f32", "f16", "bf16"] as const) {
      const t = quantType(name);
      const wq = t.dequantizeRow(t.quantizeRow(w));
      const xq = t.dequantizeRow(t.quantizeActivation(x));
      let sum = 0;
      for (let i = 0; i < 64; i++) sum += Math.fround(wq[i] * xq[i]);
      expect(t.vecDot(t.quantizeRow(w), t.quantizeActivation(x))).toBe(Math.fround(sum));
    }
  });
});
