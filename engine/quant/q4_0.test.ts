import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dequantizeRowQ4_0, quantizeRowQ4_0, vecDotQ4_0Q8_0 } from "./q4_0.ts";
import { quantizeRowQ8_0 } from "./q8_0.ts";
import { floatRow, fp16RoundingBound, U } from "./testing/arbitraries.ts";
import { specQ4_0, specQ8_0 } from "./testing/spec-decode.ts";

describe("Q4_0 layout", () => {
  it("dequantizes a hand-built block to the values the layout specifies", () => {
    // d = 0x4000 = 2; byte 0 = 0x9f: element 0 = (15-8)*2 = 14, element 16 = (9-8)*2 = 2;
    // byte 1 = 0x08: element 1 = 0, element 17 = -16; other bytes 0x00: -16 everywhere
    const block = new Uint8Array(18);
    block.set([0x00, 0x40, 0x9f, 0x08]);
    const expected = new Float32Array(32).fill(-16);
    expected[0] = 14;
    expected[16] = 2;
    expected[1] = 0;
    expect(dequantizeRowQ4_0(block)).toEqual(expected);
  });

  it("quantizes a known vector: max -8 gives d = 1, q = min(15, trunc(x + 8.5))", () => {
    const x = new Float32Array(32);
    x.set([-8, 7.9, 0, -0.5, -0.51, 3.5]);
    x[16] = 1.2;
    // q: 0, 15 (16.4 clamped), 8, 8, 7, 12; element 16 -> 9; zeros -> 8
    const expected = new Uint8Array(18).fill(0x88);
    expected.set([0x00, 0x3c, 0x90, 0x8f, 0x88, 0x88, 0x87, 0x8c]);
    expect(quantizeRowQ4_0(x)).toEqual(expected);
  });

  it("dequantizes random bytes exactly as the specification reads them", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 18, maxLength: 18 }), (block) => {
        const { d, q } = specQ4_0(block);
        const got = dequantizeRowQ4_0(block);
        q.forEach((qi, i) => expect(Object.is(got[i], Math.fround(qi * d)) || (Number.isNaN(got[i]) && Number.isNaN(qi * d))).toBe(true));
      }),
    );
  });
});

describe("Q4_0 error bound", () => {
  // max = the value of largest magnitude, d = fl(max / -8), t = x * fl(1/d) in [-8, 8].
  // q - 8 = floor(t + 8.5) clamped to 7: within 1/2 of t when t <= 7.5, within 1 above.
  // With the stored dh = fp16(d): |x - (q-8) dh| <= |d| (c + 2^-16) + 8 |d - dh|, c = 1/2 or 1.
  it("|err| <= |d|/2 (or |d| where x/d > 7.5) + 2^-16 |d| + 8 |d - fp16(d)|", () => {
    fc.assert(
      fc.property(floatRow(64), (x) => {
        const y = dequantizeRowQ4_0(quantizeRowQ4_0(x));
        for (let b = 0; b < 2; b++) {
          let max = 0;
          for (let i = 32 * b; i < 32 * b + 32; i++) if (Math.abs(x[i]) > Math.abs(max)) max = x[i];
          const d = Math.abs(Math.fround(max / -8));
          for (let i = 32 * b; i < 32 * b + 32; i++) {
            const t = max === 0 ? 0 : (-8 * x[i]) / max;
            const c = t > 7.49 ? 1 : 0.5;
            expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(d * (c + 2 ** -16) + 8 * fp16RoundingBound(d));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("vecDotQ4_0Q8_0", () => {
  // integer sum exact per block, then (sumi * dx) * dy and the running sum each round once:
  // |dot - sum w_i a_i| <= (nb + 2) u sum |w_i a_i|.
  it("equals the exact dot of the dequantized operands within (nb + 2) u sum |w_i a_i|", () => {
    fc.assert(
      fc.property(floatRow(128), floatRow(128), (wx, ax) => {
        const w = quantizeRowQ4_0(wx);
        const a = quantizeRowQ8_0(ax);
        let exact = 0;
        let magnitude = 0;
        for (let b = 0; b < 4; b++) {
          const wb = specQ4_0(w.subarray(18 * b, 18 * b + 18));
          const ab = specQ8_0(a.subarray(34 * b, 34 * b + 34));
          for (let i = 0; i < 32; i++) {
            exact += wb.q[i] * wb.d * ab.q[i] * ab.d;
            magnitude += Math.abs(wb.q[i] * wb.d * ab.q[i] * ab.d);
          }
        }
        expect(Math.abs(vecDotQ4_0Q8_0(w, a) - exact)).toBeLessThanOrEqual((4 + 2) * U * magnitude * (1 + 1e-6) + Number.MIN_VALUE);
      }),
      { numRuns: 200 },
    );
  });
});
