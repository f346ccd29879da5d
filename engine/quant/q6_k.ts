// Q6_K: super-blocks of 256 values in 16 sub-blocks of 16. Sub-block j has an int8 scale sc_j;
// value = d * sc_j * (q - 32) with q a 6-bit quant.
// Block layout (210 bytes): [0,128) ql: low 4 bits, [128,192) qh: high 2 bits,
// [192,208) scales (int8), [208,210) d (f16).
// Within each half h (elements 128h..128h+127, ql bytes 64h.., qh bytes 32h..), for l < 32:
//   element 128h+l    : low = ql[64h+l] & 15,  high = qh[32h+l] bits 0-1
//   element 128h+32+l : low = ql[64h+32+l] & 15, high = qh[32h+l] bits 2-3
//   element 128h+64+l : low = ql[64h+l] >> 4,  high = qh[32h+l] bits 4-5
//   element 128h+96+l : low = ql[64h+32+l] >> 4, high = qh[32h+l] bits 6-7
// quantizeRowQ6_K is ggml's quantize_row_q6_K_ref (make_qx_quants per sub-block, scales
// quantized to int8 against the largest, then every value requantized with the stored scales);
// vecDotQ6KQ8K is ggml_vec_dot_q6_K_q8_K_generic, including its 8 float lanes.

import { readFp16, writeFp16 } from "./half.ts";
import { nearestInt, toInt8 } from "./ggml-rounding.ts";
import { makeQxQuants } from "./make-qx-quants.ts";
import { QK_K, Q8_K_BYTES, Q8_K_QS } from "./q8_k.ts";
import { blocksInBytes, blocksInRow, sameBlockCount } from "./row-checks.ts";

export const Q6_K_BYTES = 210;
const QH = 128;
const SCALES = 192;
const D = 208;

const f = Math.fround;
const GROUP_MAX_EPS = f(1e-15);

/** The 6-bit quant (0..63) of element e (0..255) of the block at bytes[ob..]. */
export function q6kQuant(bytes: Uint8Array, ob: number, e: number): number {
  const h = e >>> 7;
  const r = e & 127;
  const quarter = r >>> 5;
  const l = r & 31;
  const lowByte = bytes[ob + 64 * h + (quarter & 1) * 32 + l];
  const low = quarter < 2 ? lowByte & 0x0f : lowByte >>> 4;
  const high = (bytes[ob + QH + 32 * h + l] >>> (2 * quarter)) & 3;
  return low | (high << 4);
}

/** x: [n] with n % 256 == 0 -> [n/256 blocks * 210 bytes]. */
export function quantizeRowQ6_K(x: Float32Array): Uint8Array {
  const nb = blocksInRow("q6_k", x.length, QK_K);
  const out = new Uint8Array(nb * Q6_K_BYTES);
  const L = new Uint8Array(QK_K);
  const scales = new Float32Array(16);
  for (let i = 0; i < nb; i++) {
    const xb = x.subarray(i * QK_K, (i + 1) * QK_K);
    const ob = i * Q6_K_BYTES;
    let maxScale = 0;
    let maxAbsScale = 0;
    for (let ib = 0; ib < 16; ib++) {
      const scale = makeQxQuants(16, 32, xb.subarray(16 * ib, 16 * ib + 16), L.subarray(16 * ib, 16 * ib + 16));
      scales[ib] = scale;
      if (Math.abs(scale) > maxAbsScale) {
        maxAbsScale = Math.abs(scale);
        maxScale = scale;
      }
    }
    if (maxAbsScale < GROUP_MAX_EPS) continue; // all-zero block, d = 0
    const iscale = f(-128 / maxScale);
    writeFp16(out, ob + D, f(1 / iscale));
    for (let ib = 0; ib < 16; ib++) out[ob + SCALES + ib] = Math.min(127, nearestInt(f(iscale * scales[ib]))) & 0xff;
    const d = readFp16(out, ob + D);
    for (let j = 0; j < 16; j++) {
      const dj = f(d * toInt8(out[ob + SCALES + j]));
      if (dj === 0) continue;
      for (let ii = 0; ii < 16; ii++) {
        const l = nearestInt(f(xb[16 * j + ii] / dj));
        L[16 * j + ii] = Math.max(-32, Math.min(31, l)) + 32;
      }
    }
    for (let h = 0; h < 2; h++) {
      for (let l = 0; l < 32; l++) {
        const e = 128 * h + l;
        out[ob + 64 * h + l] = (L[e] & 0x0f) | ((L[e + 64] & 0x0f) << 4);
        out[ob + 64 * h + 32 + l] = (L[e + 32] & 0x0f) | ((L[e + 96] & 0x0f) << 4);
        out[ob + QH + 32 * h + l] = (L[e] >>> 4) | ((L[e + 32] >>> 4) << 2) | ((L[e + 64] >>> 4) << 4) | ((L[e + 96] >>> 4) << 6);
      }
    }
  }
  return out;
}

/** [nb * 210 bytes] -> [nb * 256] values. */
export function dequantizeRowQ6_K(bytes: Uint8Array): Float32Array {
  const nb = blocksInBytes("q6_k", bytes, Q6_K_BYTES);
  const out = new Float32Array(nb * QK_K);
  for (let i = 0; i < nb; i++) {
    const ob = i * Q6_K_BYTES;
    const d = readFp16(bytes, ob + D);
    for (let e = 0; e < QK_K; e++) {
      const sc = toInt8(bytes[ob + SCALES + (e >>> 4)]);
      out[i * QK_K + e] = f(d * sc) * (q6kQuant(bytes, ob, e) - 32);
    }
  }
  return out;
}

/** w: Q6_K blocks, a: Q8_K blocks, both covering the same n values. */
export function vecDotQ6KQ8K(w: Uint8Array, a: Uint8Array): number {
  const nb = blocksInBytes("q6_k", w, Q6_K_BYTES);
  sameBlockCount("q6_k x q8_k", nb, blocksInBytes("q8_k", a, Q8_K_BYTES));
  const av = new DataView(a.buffer, a.byteOffset, a.byteLength);
  const sums = new Float32Array(8); // ggml's 8 float lanes, lane l = elements with index % 8 == l
  const aux32 = new Int32Array(8);
  let sumf = 0;
  for (let i = 0; i < nb; i++) {
    const wb = i * Q6_K_BYTES;
    const ab = i * Q8_K_BYTES;
    aux32.fill(0);
    for (let e = 0; e < QK_K; e++) {
      const scale = toInt8(w[wb + SCALES + (e >>> 4)]);
      const q8 = (a[ab + Q8_K_QS + e] << 24) >> 24;
      aux32[e & 7] += scale * q8 * (q6kQuant(w, wb, e) - 32);
    }
    const d = f(readFp16(w, wb + D) * av.getFloat32(ab, true));
    for (let l = 0; l < 8; l++) sums[l] = f(sums[l] + f(d * f(aux32[l])));
  }
  for (let l = 0; l < 8; l++) sumf = f(sumf + sums[l]);
  return sumf;
}
