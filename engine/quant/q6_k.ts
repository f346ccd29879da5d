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

/**
 * For e = 128h + l (h < 2, l < 32), calls visit(e, q1, q2, q3, q4) with the signed quants
 * (q - 32) of elements e, e+32, e+64 and e+96 of the block at bytes[ob..] (layout above).
 */
function forEachQ6(bytes: Uint8Array, ob: number, visit: (e: number, q1: number, q2: number, q3: number, q4: number) => void): void {
  for (let h = 0; h < 2; h++) {
    for (let l = 0; l < 32; l++) {
      const lo0 = bytes[ob + 64 * h + l];
      const lo1 = bytes[ob + 64 * h + 32 + l];
      const hi = bytes[ob + QH + 32 * h + l];
      visit(128 * h + l, ((lo0 & 0x0f) | ((hi & 3) << 4)) - 32, ((lo1 & 0x0f) | (((hi >>> 2) & 3) << 4)) - 32, ((lo0 >>> 4) | (((hi >>> 4) & 3) << 4)) - 32, ((lo1 >>> 4) | ((hi >>> 6) << 4)) - 32);
    }
  }
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
    const y = i * QK_K;
    const scaled = (e: number): number => f(d * toInt8(bytes[ob + SCALES + (e >>> 4)]));
    forEachQ6(bytes, ob, (e, q1, q2, q3, q4) => {
      out[y + e] = scaled(e) * q1;
      out[y + e + 32] = scaled(e + 32) * q2;
      out[y + e + 64] = scaled(e + 64) * q3;
      out[y + e + 96] = scaled(e + 96) * q4;
    });
  }
  return out;
}

/** w: Q6_K blocks, a: Q8_K blocks, both covering the same n values. */
export function vecDotQ6KQ8K(w: Uint8Array, a: Uint8Array): number {
  const nb = blocksInBytes("q6_k", w, Q6_K_BYTES);
  sameBlockCount("q6_k x q8_k", nb, blocksInBytes("q8_k", a, Q8_K_BYTES));
  const av = new DataView(a.buffer, a.byteOffset, a.byteLength);
  const sums = new Float32Array(8); // ggml's 8 float lanes: lane l = elements with index % 8 == l
  const aux32 = new Int32Array(8); // the integer lanes of one block
  let sumf = 0;
  for (let i = 0; i < nb; i++) {
    const wb = i * Q6_K_BYTES;
    const y = i * Q8_K_BYTES + Q8_K_QS;
    aux32.fill(0);
    // as forEachQ6, unrolled: elements e, e+32, e+64, e+96 share the lane e % 8
    for (let h = 0; h < 2; h++) {
      const s = wb + SCALES + 8 * h; // scales of this half: index 2k + (l >> 4) for element 128h + 32k + l
      for (let l = 0; l < 32; l++) {
        const lo0 = w[wb + 64 * h + l];
        const lo1 = w[wb + 64 * h + 32 + l];
        const hi = w[wb + QH + 32 * h + l];
        const e = y + 128 * h + l;
        const si = s + (l >>> 4);
        aux32[l & 7] +=
          toInt8(w[si]) * ((a[e] << 24) >> 24) * (((lo0 & 0x0f) | ((hi & 3) << 4)) - 32) +
          toInt8(w[si + 2]) * ((a[e + 32] << 24) >> 24) * (((lo1 & 0x0f) | (((hi >>> 2) & 3) << 4)) - 32) +
          toInt8(w[si + 4]) * ((a[e + 64] << 24) >> 24) * (((lo0 >>> 4) | (((hi >>> 4) & 3) << 4)) - 32) +
          toInt8(w[si + 6]) * ((a[e + 96] << 24) >> 24) * (((lo1 >>> 4) | ((hi >>> 6) << 4)) - 32);
      }
    }
    const d = f(readFp16(w, wb + D) * av.getFloat32(i * Q8_K_BYTES, true));
    for (let l = 0; l < 8; l++) sums[l] = f(sums[l] + f(d * f(aux32[l])));
  }
  for (let l = 0; l < 8; l++) sumf = f(sumf + sums[l]);
  return sumf;
}
