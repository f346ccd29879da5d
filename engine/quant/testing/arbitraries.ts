// Test support: fast-check generators of f32 rows for the quantizers. Values span many binary
// orders of magnitude (a row of finite floats in [-1000, 1000] scaled by 2^k, k in [-40, 6])
// so scales land on fp16 normals, subnormals and zero; constant, sparse and tie-heavy rows
// are mixed in because they exercise the quantizers' edge cases.

import fc from "fast-check";

export const U = 2 ** -24; // binary32 unit roundoff

export function floatRow(n: number): fc.Arbitrary<Float32Array> {
  const values = fc.float32Array({ minLength: n, maxLength: n, noNaN: true, noDefaultInfinity: true, min: -1000, max: 1000 });
  const scaled = fc.tuple(values, fc.integer({ min: -40, max: 6 })).map(([x, k]) => x.map((v) => Math.fround(v * 2 ** k)));
  const constant = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1000, max: 1000 }).map((c) => new Float32Array(n).fill(c));
  const sparse = fc.tuple(values, fc.integer({ min: 0, max: 2 ** 31 - 1 })).map(([x, seed]) => x.map((v, i) => (((seed >>> (i % 31)) & 1) === 1 ? v : 0)));
  const halves = fc.array(fc.integer({ min: -255, max: 255 }), { minLength: n, maxLength: n }).map((q) => Float32Array.from(q, (v) => v / 2));
  return fc.oneof({ weight: 6, arbitrary: scaled }, { weight: 1, arbitrary: constant }, { weight: 1, arbitrary: sparse }, { weight: 1, arbitrary: halves });
}

/** A seeded Gaussian row (Box-Muller over a 32-bit LCG) for the observed-accuracy checks. */
export function gaussianRow(n: number, seed: number, sigma: number): Float32Array {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = sigma * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return x;
}

/** |d - fp16(d)| for d >= 0: half an ulp of binary16 (2^-11 relative) or 2^-25 below the normals. */
export function fp16RoundingBound(d: number): number {
  return Math.max(Math.abs(d) * 2 ** -11, 2 ** -25);
}
