import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dequantizeRowQ4_K, quantizeRowQ4_K, vecDotQ4KQ8K } from "./q4_k.ts";
import { quantizeRowQ8_K } from "./q8_k.ts";
import { floatRow, gaussianRow, U } from "./testing/arbitraries.ts";
import { specQ4_K, specQ8_K } from "./testing/spec-decode.ts";

describe("Q4_K layout", () => {
  it("dequantizes a hand-built block to the values the layout specifies", () => {
    // d = 1 (0x3c00), dmin = 0.5 (0x3800)
    // scales 1, 2, 3, 4, 5, 6, 7, 63 and mins 0, 1, 2, 3, 4, 5, 6, 33 packed by hand:
    //   bytes 0-3  = scale 0-3 | top two bits of scale 4-7 << 6 -> 1, 2, 3, 4 | 3 << 6 (63 = 0b11_1111)
    //   bytes 4-7  = min 0-3   | top two bits of min 4-7 << 6   -> 0, 1, 2, 3 | 2 << 6 (33 = 0b10_0001)
    //   bytes 8-11 = low 4 bits of scale 4-7 | low 4 bits of min 4-7 << 4 -> 0x45, 0x56, 0x67, 0x1f
    const block = new Uint8Array(144);
    block.set([0x00, 0x3c, 0x00, 0x38]);
    block.set([1, 2, 3, 0xc4, 0, 1, 2, 0x83, 0x45, 0x56, 0x67, 0x1f], 4);
    block[16 + 0] = 0x3a; // element 0 (sub-block 0): q = 10; element 32 (sub-block 1): q = 3
    block[16 + 96 + 31] = 0xf1; // element 223 (sub-block 6): q = 1; element 255 (sub-block 7): q = 15
    // every other quant is 0, so element e of sub-block j is -dmin * min_j
    const minus = [0, -0.5, -1, -1.5, -2, -2.5, -3, -16.5];
    const expected = Float32Array.from({ length: 256 }, (_, e) => minus[e >> 5]);
    expected[0] = 1 * 1 * 10 - 0;
    expected[32] = 1 * 2 * 3 - 0.5 * 1;
    expected[223] = 1 * 7 * 1 - 0.5 * 6;
    expected[255] = 1 * 63 * 15 - 0.5 * 33;
    expect(dequantizeRowQ4_K(block)).toEqual(expected);
  });

  it("an all-zero row quantizes to all-zero blocks", () => {
    expect(quantizeRowQ4_K(new Float32Array(512))).toEqual(new Uint8Array(288));
  });

  it("dequantizes random bytes as the specification reads them (within one float rounding)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 144, maxLength: 144 }), (block) => {
        const s = specQ4_K(block);
        const got = dequantizeRowQ4_K(block);
        for (let e = 0; e < 256; e++) {
          const j = e >> 5;
          const exact = s.d * s.scale[j] * s.q[e] - s.dmin * s.min[j];
          if (Number.isNaN(exact)) expect(got[e]).toBeNaN();
          else expect(got[e]).toBe(Math.fround(exact)); // d*scale*q and dmin*min are exact in f32; one rounding
        }
      }),
    );
  });
});

describe("Q4_K error bound", () => {
  // Given the stored sub-block parameters d1 = d*scale_j and m1 = dmin*min_j, the quantizer
  // picks q = clamp(round((x + m1) / d1), 0, 15): the level of {d1 q - m1} nearest to x. Float
  // rounding of (x + m1) / d1 and of d1 q - m1 can move that by at most 4u(|x| + m1) + u|v|, so
  //   |x - v| <= min_q |x - (d1 q - m1)| + 2^-21 (|x| + m1 + |v|)
  // (inside [-m1, 15 d1 - m1] that is |x - v| <= d1/2 + the same slack).
  it("every value is dequantized to the nearest level of its sub-block's stored scale and min", () => {
    fc.assert(
      fc.property(floatRow(256), (x) => {
        const bytes = quantizeRowQ4_K(x);
        const y = dequantizeRowQ4_K(bytes);
        const s = specQ4_K(bytes);
        for (let e = 0; e < 256; e++) {
          const d1 = s.d * s.scale[e >> 5];
          const m1 = s.dmin * s.min[e >> 5];
          let best = Infinity;
          for (let q = 0; q < 16; q++) best = Math.min(best, Math.abs(x[e] - (d1 * q - m1)));
          expect(Math.abs(x[e] - y[e])).toBeLessThanOrEqual(best + 2 ** -21 * (Math.abs(x[e]) + m1 + Math.abs(y[e])));
        }
      }),
      { numRuns: 150 },
    );
  });

  it("observed accuracy on Gaussian rows: relative RMS error below 0.08 (observed 0.0745; a regression guard, not a proof)", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const x = gaussianRow(1024, seed, 2 ** (seed % 9 - 4));
      const y = dequantizeRowQ4_K(quantizeRowQ4_K(x));
      let se = 0;
      let sx = 0;
      for (let i = 0; i < x.length; i++) {
        se += (x[i] - y[i]) ** 2;
        sx += x[i] ** 2;
      }
      expect(Math.sqrt(se / sx)).toBeLessThan(0.08);
    }
  });
});

describe("vecDotQ4KQ8K", () => {
  // Integer sums are exact (|aux32| < 2^22, |sumi| < 2^21); the float part rounds d = dw*da,
  // dmin*da, each product, the nb-step sums of 8 lanes and the final 8 + 1 additions. With
  // T = sum_i (|d1 q_i| + m1) |a_i|:  |dot - sum_i (d1 q_i - m1) a_i| <= (nb + 16) u T, plus,
  // when d = dw*da or dmin*da falls below the float32 normals (da is a float32 and can be
  // tiny), their absolute rounding error 2^-150 times the integer magnitude they multiply.
  it("equals the exact dot of the dequantized operands within (nb + 16) u T", () => {
    fc.assert(
      fc.property(floatRow(512), floatRow(512), (wx, ax) => {
        const w = quantizeRowQ4_K(wx);
        const a = quantizeRowQ8_K(ax);
        let exact = 0;
        let magnitude = 0;
        let integers = 0;
        for (let b = 0; b < 2; b++) {
          const wb = specQ4_K(w.subarray(144 * b, 144 * b + 144));
          const ab = specQ8_K(a.subarray(292 * b, 292 * b + 292));
          for (let e = 0; e < 256; e++) {
            const d1q = wb.d * wb.scale[e >> 5] * wb.q[e];
            const m1 = wb.dmin * wb.min[e >> 5];
            const ai = ab.q[e] * ab.d;
            exact += (d1q - m1) * ai;
            magnitude += (Math.abs(d1q) + m1) * Math.abs(ai);
            integers += (Math.abs(wb.scale[e >> 5] * wb.q[e]) + wb.min[e >> 5]) * Math.abs(ab.q[e]);
          }
        }
        const bound = (2 + 16) * U * magnitude * (1 + 1e-6) + 2 ** -150 * integers + Number.MIN_VALUE;
        expect(Math.abs(vecDotQ4KQ8K(w, a) - exact)).toBeLessThanOrEqual(bound);
      }),
      { numRuns: 100 },
    );
  });
});
