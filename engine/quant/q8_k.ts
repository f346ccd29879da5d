// Q8_K: the activation format ggml pairs with k-quant weights. Blocks of 256 values as one
// f32 scale d, 256 int8 quants and 16 int16 sums of the quants in groups of 16.
// Block layout (292 bytes, as ggml's block_q8_K): [0,4) d (f32 LE), [4,260) qs (int8),
// [260,292) bsums[0..15] (int16 LE). value = q * d.
// quantizeRowQ8_K is ggml's quantize_row_q8_K_ref: iscale = -127 / max where max is the value
// of largest magnitude, q = min(127, nearest_int(iscale * x)), d = 1 / iscale.

import { nearestInt } from "./ggml-rounding.ts";
import { blocksInBytes, blocksInRow } from "./row-checks.ts";

export const QK_K = 256;
export const Q8_K_BYTES = 292;
export const Q8_K_QS = 4;
export const Q8_K_BSUMS = 260;

const f = Math.fround;

/** x: [n] with n % 256 == 0 -> [n/256 blocks * 292 bytes]. */
export function quantizeRowQ8_K(x: Float32Array): Uint8Array {
  const nb = blocksInRow("q8_k", x.length, QK_K);
  const out = new Uint8Array(nb * Q8_K_BYTES);
  const view = new DataView(out.buffer);
  for (let i = 0; i < nb; i++) {
    const xb = i * QK_K;
    const ob = i * Q8_K_BYTES;
    let max = 0;
    let amax = 0;
    for (let j = 0; j < QK_K; j++) {
      const ax = Math.abs(x[xb + j]);
      if (ax > amax) {
        amax = ax;
        max = x[xb + j];
      }
    }
    if (amax === 0) continue; // d = 0, all quants and sums 0
    const iscale = f(-127 / max);
    for (let j = 0; j < QK_K; j++) {
      out[ob + Q8_K_QS + j] = Math.min(127, nearestInt(f(iscale * x[xb + j]))) & 0xff;
    }
    for (let g = 0; g < QK_K / 16; g++) {
      let sum = 0;
      for (let k = 0; k < 16; k++) sum += (out[ob + Q8_K_QS + 16 * g + k] << 24) >> 24;
      view.setInt16(ob + Q8_K_BSUMS + 2 * g, sum, true);
    }
    view.setFloat32(ob, f(1 / iscale), true);
  }
  return out;
}

/** [nb * 292 bytes] -> [nb * 256] values (q * d; the bsums are redundant). */
export function dequantizeRowQ8_K(bytes: Uint8Array): Float32Array {
  const nb = blocksInBytes("q8_k", bytes, Q8_K_BYTES);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(nb * QK_K);
  for (let i = 0; i < nb; i++) {
    const ob = i * Q8_K_BYTES;
    const d = view.getFloat32(ob, true);
    for (let j = 0; j < QK_K; j++) out[i * QK_K + j] = f(((bytes[ob + Q8_K_QS + j] << 24) >> 24) * d);
  }
  return out;
}
