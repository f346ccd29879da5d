import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dequantizeRowQ8_0, quantizeRowQ8_0, vecDotQ8_0Q8_0 } from "./q8_0.ts";
import { floatRow, fp16RoundingBound, U } from "./testing/arbitraries.ts";
import { specQ8_0 } from "./testing/spec-decode.ts";

describe("Q8_0 layout", () => {
  it("dequantizes a hand-built block to the values the layout specifies", () => {
    // d = 0x3800 = 0.5; qs = 1, -1, 127, -128, 0, 2, then zeros
    const block = new Uint8Array(34);
    block.set([0x00, 0x38, 0x01, 0xff, 0x7f, 0x80, 0x00, 0x02]);
    const expected = new Float32Array(32);
    expected.set([0.5, -0.5, 63.5, -64, 0, 1]);
    expect(dequantizeRowQ8_0(block)).toEqual(expected);
  });

  it("quantizes a known vector: amax 127 gives d = 1 and roundf (half away from zero)", () => {
    const x = new Float32Array(32);
    x.set([127, -127, 2.5, -2.5, 0.49, -0.5, 126.5, 1]);
    const expected = new Uint8Array(34);
    // d = fp16(1) = 0x3c00; q = 127, -127, 3, -3, 0, -1, 127, 1
    expected.set([0x00, 0x3c, 127, 256 - 127, 3, 256 - 3, 0, 255, 127, 1]);
    expect(quantizeRowQ8_0(x)).toEqual(expected);
  });

  it("dequantizes random bytes exactly as the specification reads them", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 34, maxLength: 34 }), (block) => {
        const { d, q } = specQ8_0(block);
        const got = dequantizeRowQ8_0(block);
        q.forEach((qi, i) => expect(Object.is(got[i], Math.fround(qi * d)) || (Number.isNaN(got[i]) && Number.isNaN(qi * d))).toBe(true));
      }),
    );
  });
});

describe("Q8_0 error bound", () => {
  // d = fl(amax/127) is the unrounded scale, dh = fp16(d) the stored one. q = round(x * fl(1/d))
  // is within 1/2 + 127*3u of x/d, so |x - q*dh| <= |x - q*d| + |q| |d - dh|
  //   <= d (1/2 + 2^-16) + 127 |d - dh|,  with |d - dh| <= max(2^-11 d, 2^-25).
  it("|x - dequant(quant(x))| <= d/2 + 2^-16 d + 127 |d - fp16(d)| per block", () => {
    fc.assert(
      fc.property(floatRow(64), (x) => {
        const y = dequantizeRowQ8_0(quantizeRowQ8_0(x));
        for (let b = 0; b < 2; b++) {
          const block = x.subarray(32 * b, 32 * b + 32);
          const d = Math.fround(Math.max(...block.map(Math.abs)) / 127);
          const bound = d * (0.5 + 2 ** -16) + 127 * fp16RoundingBound(d);
          for (let i = 32 * b; i < 32 * b + 32; i++) expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(bound);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("vecDotQ8_0Q8_0", () => {
  // Per block the integer sum is exact (|sumi| <= 32*127*127 < 2^24); the float part rounds
  // dx*dy, the product and the running sum: |dot - sum w_i a_i| <= (nb + 2) u sum |w_i a_i|
  // with w_i, a_i the exact dequantized values.
  it("equals the exact dot of the dequantized operands within (nb + 2) u sum |w_i a_i|", () => {
    fc.assert(
      fc.property(floatRow(128), floatRow(128), (wx, ax) => {
        const w = quantizeRowQ8_0(wx);
        const a = quantizeRowQ8_0(ax);
        let exact = 0;
        let magnitude = 0;
        for (let b = 0; b < 4; b++) {
          const wb = specQ8_0(w.subarray(34 * b, 34 * b + 34));
          const ab = specQ8_0(a.subarray(34 * b, 34 * b + 34));
          for (let i = 0; i < 32; i++) {
            exact += wb.q[i] * wb.d * ab.q[i] * ab.d;
            magnitude += Math.abs(wb.q[i] * wb.d * ab.q[i] * ab.d);
          }
        }
        expect(Math.abs(vecDotQ8_0Q8_0(w, a) - exact)).toBeLessThanOrEqual((4 + 2) * U * magnitude * (1 + 1e-6) + Number.MIN_VALUE);
      }),
      { numRuns: 200 },
    );
  });
});
