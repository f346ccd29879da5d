import { describe, expect, it } from "vitest";
import { RefuteError } from "../../core/errors.ts";
import { matvecQuant } from "./matvec.ts";
import { gaussianRow } from "./testing/arbitraries.ts";
import { QUANT_TYPES, rowByteLength, type QuantName } from "./types.ts";

const ROWS = 24;
const COLS = 512;

function quantizeMatrix(name: QuantName, w: Float32Array): Uint8Array {
  const t = QUANT_TYPES[name];
  const rowBytes = rowByteLength(t, COLS);
  const out = new Uint8Array(ROWS * rowBytes);
  for (let r = 0; r < ROWS; r++) out.set(t.quantizeRow(w.subarray(r * COLS, (r + 1) * COLS)), r * rowBytes);
  return out;
}

describe("matvecQuant: W [rows, cols] row-major times x [cols]", () => {
  const w = gaussianRow(ROWS * COLS, 7, 0.05);
  const x = gaussianRow(COLS, 8, 1);
  const exact = Array.from({ length: ROWS }, (_, r) => w.subarray(r * COLS, (r + 1) * COLS).reduce((s, v, i) => s + v * x[i], 0));

  // observed relative error of the output vector against f64 W x, from weight plus activation
  // quantization (tolerances about twice what was observed); guards that rows, blocks and
  // formats are wired as specified
  const tolerance: Record<QuantName, number> = { f32: 1e-6, f16: 1e-3, bf16: 1e-2, q8_0: 0.02, q4_0: 0.15, q4_k: 0.1, q6_k: 0.04 };

  for (const name of Object.keys(QUANT_TYPES) as QuantName[]) {
    it(`${name}: each output is the fused dot of its weight row, and the result approximates W x`, () => {
      const t = QUANT_TYPES[name];
      const weight = quantizeMatrix(name, w);
      const out = matvecQuant(name, weight, ROWS, COLS, x, new Float32Array(ROWS));
      const a = t.quantizeActivation(x);
      const rowBytes = rowByteLength(t, COLS);
      let se = 0;
      let sy = 0;
      for (let r = 0; r < ROWS; r++) {
        expect(out[r]).toBe(t.vecDot(weight.subarray(r * rowBytes, (r + 1) * rowBytes), a));
        se += (out[r] - exact[r]) ** 2;
        sy += exact[r] ** 2;
      }
      expect(Math.sqrt(se / sy)).toBeLessThan(tolerance[name]);
    });
  }

  it("gives NaN for every output when x is not finite and the weight is quantized", () => {
    const bad = x.slice();
    bad[3] = Infinity;
    const out = matvecQuant("q4_k", quantizeMatrix("q4_k", w), ROWS, COLS, bad, new Float32Array(ROWS));
    expect(out.every(Number.isNaN)).toBe(true);
  });

  it("refuses mismatched shapes with QUANT_BAD_SHAPE", () => {
    const weight = quantizeMatrix("q8_0", w);
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return e instanceof RefuteError ? e.code : String(e);
      }
      return undefined;
    };
    expect(codeOf(() => matvecQuant("q8_0", weight, ROWS + 1, COLS, x, new Float32Array(ROWS + 1)))).toBe("QUANT_BAD_SHAPE");
    expect(codeOf(() => matvecQuant("q8_0", weight, ROWS, COLS, x.subarray(1), new Float32Array(ROWS)))).toBe("QUANT_BAD_SHAPE");
    expect(codeOf(() => matvecQuant("q8_0", weight, ROWS, COLS, x, new Float32Array(ROWS - 1)))).toBe("QUANT_BAD_SHAPE");
  });
});
