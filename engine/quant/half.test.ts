import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeF16Row, fp16BitsToFp32, fp32ToFp16Bits } from "./half.ts";
import { specHalf } from "./testing/spec-decode.ts";

describe("fp32 -> fp16 (round to nearest, ties to even, as GGML_FP32_TO_FP16 and numpy)", () => {
  // expected bits worked out by hand from the binary16 format: 1 sign, 5 exponent (bias 15), 10 fraction
  const cases: Array<[number, number, string]> = [
    [0, 0x0000, "zero"],
    [-0, 0x8000, "negative zero keeps its sign"],
    [1, 0x3c00, "one"],
    [-2, 0xc000, "minus two"],
    [0.5, 0x3800, "one half"],
    [65504, 0x7bff, "largest half"],
    [65519, 0x7bff, "below the midpoint to 65536 rounds down"],
    [65520, 0x7c00, "the midpoint 65520 ties to even: 65536 is inf"],
    [1e6, 0x7c00, "overflow is inf"],
    [-Infinity, 0xfc00, "minus inf"],
    [2 ** -14, 0x0400, "smallest normal"],
    [2 ** -24, 0x0001, "smallest subnormal"],
    [2 ** -25, 0x0000, "half the smallest subnormal ties to even: zero"],
    [3 * 2 ** -26, 0x0001, "three quarters of the smallest subnormal rounds up"],
    [3 * 2 ** -25, 0x0002, "1.5 subnormal units tie to even: 2"],
    [1 + 2 ** -11, 0x3c00, "1 + half an ulp ties to even (down)"],
    [1 + 3 * 2 ** -11, 0x3c02, "1 + 1.5 ulp ties to even (up)"],
    [1 + 2 ** -11 + 2 ** -20, 0x3c01, "just above the tie rounds up"],
    [NaN, 0x7e00, "NaN becomes the quiet NaN 0x7e00 (ggml)"],
  ];
  for (const [x, bits, why] of cases) {
    it(`${x} -> 0x${bits.toString(16).padStart(4, "0")}: ${why}`, () => {
      expect(fp32ToFp16Bits(x)).toBe(bits);
    });
  }

  it("picks a nearest half, and the even one on a tie (property over all finite floats)", () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: -65504, max: 65504 }), (x) => {
        const h = fp32ToFp16Bits(x);
        const v = specHalf(h & 0xff, h >> 8);
        const mag = h & 0x7fff;
        const sign = h & 0x8000;
        const neighbours = [mag - 1, mag + 1].filter((m) => m >= 0 && m < 0x7c00).map((m) => specHalf((sign | m) & 0xff, (sign | m) >> 8));
        for (const n of neighbours) {
          const dv = Math.abs(x - v);
          const dn = Math.abs(x - n);
          expect(dv).toBeLessThanOrEqual(dn);
          if (dv === dn) expect(mag % 2).toBe(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("fp16 -> fp32", () => {
  it("is exact for every one of the 65 536 halves and inverts fp32 -> fp16 on them", () => {
    for (let h = 0; h < 65536; h++) {
      const expected = specHalf(h & 0xff, h >> 8);
      const got = fp16BitsToFp32(h);
      if (Number.isNaN(expected)) {
        expect(got).toBeNaN();
      } else {
        expect(Object.is(got, expected)).toBe(true);
        expect(fp32ToFp16Bits(got)).toBe(h);
      }
    }
  });

  it("decodeF16Row reads every half as the spec does, from bytes at an even offset (in place) and at an odd one (byte by byte)", () => {
    const bytes = new Uint8Array(2 * 65536 + 1);
    for (let h = 0; h < 65536; h++) {
      bytes[2 * h] = h & 0xff;
      bytes[2 * h + 1] = h >> 8;
    }
    const odd = new Uint8Array(bytes.length);
    odd.set(bytes.subarray(0, 2 * 65536), 1);
    for (const row of [decodeF16Row(bytes.subarray(0, 2 * 65536)), decodeF16Row(odd.subarray(1))]) {
      expect(row.length).toBe(65536);
      for (let h = 0; h < 65536; h++) {
        const expected = specHalf(h & 0xff, h >> 8);
        if (Number.isNaN(expected)) expect(row[h]).toBeNaN();
        else if (!Object.is(row[h], expected)) expect([h, row[h]]).toEqual([h, expected]);
      }
    }
  });
});
