// Q8_0: blocks of 32 values as one f16 scale d and 32 int8 quants; value = q * d.
// Block layout (34 bytes): [0,2) d (f16 LE), [2,34) qs[0..31] (int8).
// quantizeRowQ8_0 is ggml's quantize_row_q8_0_ref (also the activation quantizer that ggml's
// generic CPU path uses for Q8_0 and Q4_0 weights); vecDotQ8_0Q8_0 is
// ggml_vec_dot_q8_0_q8_0_generic: an integer sum per block, then sumi * (dx * dy) in float.

import { readFp16, writeFp16 } from "./half.ts";
import { roundHalfAwayFromZero } from "./ggml-rounding.ts";
import { blocksInBytes, blocksInRow, sameBlockCount } from "./row-checks.ts";

export const QK8_0 = 32;
export const Q8_0_BYTES = 34;

const f = Math.fround;

/** x: [n] with n % 32 == 0 -> [n/32 blocks * 34 bytes]. */
export function quantizeRowQ8_0(x: Float32Array): Uint8Array {
  const nb = blocksInRow("q8_0", x.length, QK8_0);
  const out = new Uint8Array(nb * Q8_0_BYTES);
  for (let i = 0; i < nb; i++) {
    const xb = i * QK8_0;
    const ob = i * Q8_0_BYTES;
    let amax = 0;
    for (let j = 0; j < QK8_0; j++) {
      const a = Math.abs(x[xb + j]);
      if (a > amax) amax = a;
    }
    const d = f(amax / 127);
    const id = d !== 0 ? f(1 / d) : 0;
    writeFp16(out, ob, d);
    for (let j = 0; j < QK8_0; j++) {
      out[ob + 2 + j] = roundHalfAwayFromZero(f(x[xb + j] * id)) & 0xff;
    }
  }
  return out;
}

/** [nb * 34 bytes] -> [nb * 32] values. */
export function dequantizeRowQ8_0(bytes: Uint8Array): Float32Array {
  const nb = blocksInBytes("q8_0", bytes, Q8_0_BYTES);
  const out = new Float32Array(nb * QK8_0);
  for (let i = 0; i < nb; i++) {
    const ob = i * Q8_0_BYTES;
    const d = readFp16(bytes, ob);
    for (let j = 0; j < QK8_0; j++) out[i * QK8_0 + j] = ((bytes[ob + 2 + j] << 24) >> 24) * d;
  }
  return out;
}

/** w, a: Q8_0 blocks covering the same n values -> sum_i w_i * a_i as ggml computes it. */
export function vecDotQ8_0Q8_0(w: Uint8Array, a: Uint8Array): number {
  const nb = blocksInBytes("q8_0", w, Q8_0_BYTES);
  sameBlockCount("q8_0 x q8_0", nb, blocksInBytes("q8_0", a, Q8_0_BYTES));
  let sumf = 0;
  for (let i = 0; i < nb; i++) {
    const ob = i * Q8_0_BYTES;
    let sumi = 0;
    for (let j = 2; j < Q8_0_BYTES; j++) sumi += ((w[ob + j] << 24) >> 24) * ((a[ob + j] << 24) >> 24);
    sumf = f(sumf + f(f(sumi) * f(readFp16(w, ob) * readFp16(a, ob))));
  }
  return sumf;
}
