import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bf16BitsToFp32, fp32ToBf16Bits } from "./bfloat16.ts";

describe("fp32 -> bf16 (round to nearest, ties to even, as GGML_FP32_TO_BF16)", () => {
  // bf16 is the top half of a binary32: 1 sign, 8 exponent, 7 fraction bits
  const cases: Array<[number, number, string]> = [
    [1, 0x3f80, "one"],
    [-2, 0xc000, "minus two"],
    [1 + 2 ** -8, 0x3f80, "1 + half an ulp ties to even (down)"],
    [1 + 3 * 2 ** -8, 0x3f82, "1 + 1.5 ulp ties to even (up)"],
    [1 + 2 ** -8 + 2 ** -20, 0x3f81, "just above the tie rounds up"],
    [Infinity, 0x7f80, "inf"],
    [3.3895313892515355e38, 0x7f7f, "largest bf16"],
    [NaN, 0x7fc0, "NaN is quieted"],
  ];
  for (const [x, bits, why] of cases) {
    it(`${x} -> 0x${bits.toString(16)}: ${why}`, () => expect(fp32ToBf16Bits(x)).toBe(bits));
  }

  it("picks a nearest bf16, the even one on a tie, and widening is exact", () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-3e38), max: Math.fround(3e38) }), (x) => {
        const h = fp32ToBf16Bits(x);
        const v = bf16BitsToFp32(h);
        for (const m of [h - 1, h + 1]) {
          if ((m & 0x7f80) === 0x7f80 || (m & 0x7fff) === 0x7fff || m < 0 || ((h ^ m) & 0x8000) !== 0) continue;
          const n = bf16BitsToFp32(m);
          expect(Math.abs(x - v)).toBeLessThanOrEqual(Math.abs(x - n));
          if (Math.abs(x - v) === Math.abs(x - n)) expect(h % 2).toBe(0);
        }
        expect(fp32ToBf16Bits(v)).toBe(h);
      }),
      { numRuns: 2000 },
    );
  });
});
