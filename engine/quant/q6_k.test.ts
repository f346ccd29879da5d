import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dequantizeRowQ6_K, quantizeRowQ6_K, vecDotQ6KQ8K } from "./q6_k.ts";
import { quantizeRowQ8_K } from "./q8_k.ts";
import { floatRow, gaussianRow, U } from "./testing/arbitraries.ts";
import { specQ6_K, specQ8_K } from "./testing/spec-decode.ts";

describe("Q6_K layout", () => {
  it("dequantizes a hand-built block to the values the layout specifies", () => {
    // d = 1 (0x3c00 at bytes 208-209); scales (int8) 1, -1, 2, -2, ..., 7, -7, -128, 127
    const scales = [1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, -128, 127];
    const block = new Uint8Array(210);
    block.set(scales.map((s) => s & 0xff), 192);
    block.set([0x00, 0x3c], 208);
    block[0] = 0x5f; // element 0: low 0xf; element 64: low 0x5
    block[128] = 0xe4; // 0b11_10_01_00: high bits 0 (element 0), 1 (32), 2 (64), 3 (96)
    block[64 + 33] = 0x0c; // second half, ql[33]: element 161 low 0xc, element 225 low 0x0
    block[128 + 32 + 1] = 0x0c; // second half, qh[1]: element 129 high 0, element 161 high 3
    // every other quant is 0, i.e. q - 32 = -32, so element e is -32 * scale_(e/16)
    const expected = Float32Array.from({ length: 256 }, (_, e) => -32 * scales[e >> 4]);
    expected[0] = (0xf + 16 * 0 - 32) * scales[0]; // -17
    expected[32] = (0x0 + 16 * 1 - 32) * scales[2]; // -16 * 2
    expected[64] = (0x5 + 16 * 2 - 32) * scales[4]; // 5 * 3
    expected[96] = (0x0 + 16 * 3 - 32) * scales[6]; // 16 * 4
    expected[161] = (0xc + 16 * 3 - 32) * scales[10]; // 28 * 6
    expect(dequantizeRowQ6_K(block)).toEqual(expected);
  });

  it("an all-zero row quantizes to all-zero blocks", () => {
    expect(quantizeRowQ6_K(new Float32Array(512))).toEqual(new Uint8Array(420));
  });

  it("dequantizes random bytes as the specification reads them (within one float rounding)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 210, maxLength: 210 }), (block) => {
        const s = specQ6_K(block);
        const got = dequantizeRowQ6_K(block);
        for (let e = 0; e < 256; e++) {
          const exact = s.d * s.scale[e >> 4] * s.q[e];
          if (Number.isNaN(exact)) expect(got[e]).toBeNaN();
          else expect(got[e]).toBe(Math.fround(exact)); // d*scale is exact in f32; one rounding
        }
      }),
    );
  });
});

describe("Q6_K error bound", () => {
  // Given the stored d_j = d*scale_j, the quantizer picks q - 32 = clamp(round(x / d_j), -32, 31):
  // the level of {d_j k} nearest to x. Rounding x / d_j and d_j k moves that by at most
  // 2u|x| + u|v|:   |x - v| <= min_k |x - d_j k| + 2^-22 (|x| + |v|).
  it("every value is dequantized to the nearest level of its sub-block's stored scale", () => {
    fc.assert(
      fc.property(floatRow(256), (x) => {
        const bytes = quantizeRowQ6_K(x);
        const y = dequantizeRowQ6_K(bytes);
        const s = specQ6_K(bytes);
        for (let e = 0; e < 256; e++) {
          const dj = s.d * s.scale[e >> 4];
          let best = Infinity;
          for (let k = -32; k < 32; k++) best = Math.min(best, Math.abs(x[e] - dj * k));
          expect(Math.abs(x[e] - y[e])).toBeLessThanOrEqual(best + 2 ** -22 * (Math.abs(x[e]) + Math.abs(y[e])));
        }
      }),
      { numRuns: 150 },
    );
  });

  it("observed accuracy on Gaussian rows: relative RMS error below 0.02 (observed 0.0187; a regression guard, not a proof)", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const x = gaussianRow(1024, seed, 2 ** (seed % 9 - 4));
      const y = dequantizeRowQ6_K(quantizeRowQ6_K(x));
      let se = 0;
      let sx = 0;
      for (let i = 0; i < x.length; i++) {
        se += (x[i] - y[i]) ** 2;
        sx += x[i] ** 2;
      }
      expect(Math.sqrt(se / sx)).toBeLessThan(0.02);
    }
  });
});

describe("vecDotQ6KQ8K", () => {
  // Integer lane sums are exact (|aux32| <= 32*128*127*32 < 2^24); the float part rounds
  // d = dw*da, each lane product, the nb-step lane sums and the final 8 additions:
  // |dot - sum_i w_i a_i| <= (nb + 16) u sum |w_i a_i|, plus, when d = dw*da falls below the
  // float32 normals (da of a Q8_K block is a float32 and can be tiny), d's absolute rounding
  // error 2^-150 times the block's integer magnitude sum |scale q_w q_a|.
  it("equals the exact dot of the dequantized operands within (nb + 16) u sum |w_i a_i|", () => {
    fc.assert(
      fc.property(floatRow(512), floatRow(512), (wx, ax) => {
        const w = quantizeRowQ6_K(wx);
        const a = quantizeRowQ8_K(ax);
        let exact = 0;
        let magnitude = 0;
        let integers = 0;
        for (let b = 0; b < 2; b++) {
          const wb = specQ6_K(w.subarray(210 * b, 210 * b + 210));
          const ab = specQ8_K(a.subarray(292 * b, 292 * b + 292));
          for (let e = 0; e < 256; e++) {
            const term = wb.d * wb.scale[e >> 4] * wb.q[e] * ab.q[e] * ab.d;
            exact += term;
            magnitude += Math.abs(term);
            integers += Math.abs(wb.scale[e >> 4] * wb.q[e] * ab.q[e]);
          }
        }
        const bound = (2 + 16) * U * magnitude * (1 + 1e-6) + 2 ** -150 * integers + Number.MIN_VALUE;
        expect(Math.abs(vecDotQ6KQ8K(w, a) - exact)).toBeLessThanOrEqual(bound);
      }),
      { numRuns: 100 },
    );
  });
});
