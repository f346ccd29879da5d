// Q4_K: super-blocks of 256 values in 8 sub-blocks of 32. Each sub-block j has a 6-bit scale
// sc_j and a 6-bit min m_j; value = d * sc_j * q - dmin * m_j with q a 4-bit quant.
// Block layout (144 bytes): [0,2) d (f16), [2,4) dmin (f16), [4,16) scales: 12 bytes packing
// 8 scales and 8 mins of 6 bits, [16,144) qs: 4 groups of 32 bytes; group g holds sub-block 2g
// in the low nibbles and sub-block 2g+1 in the high nibbles.
// Scale packing (s = the 12 bytes): for j < 4: sc_j = s[j] & 63, m_j = s[j+4] & 63;
// for j >= 4: sc_j = (s[j+4] & 15) | (s[j-4] >> 6) << 4, m_j = (s[j+4] >> 4) | (s[j] >> 6) << 4.
// quantizeRowQ4_K is ggml's quantize_row_q4_K_ref (make_qkx2_quants per sub-block, scales and
// mins quantized to 6 bits against their maxima, then every value requantized with the stored
// scales); vecDotQ4KQ8K is ggml_vec_dot_q4_K_q8_K_generic, including its 8 float lanes.

import { readFp16, writeFp16 } from "./half.ts";
import { nearestInt } from "./ggml-rounding.ts";
import { makeQkx2Quants } from "./make-qkx2-quants.ts";
import { QK_K, Q8_K_BSUMS, Q8_K_BYTES, Q8_K_QS } from "./q8_k.ts";
import { blocksInBytes, blocksInRow, sameBlockCount } from "./row-checks.ts";

export const Q4_K_BYTES = 144;
const SCALES = 4;
const QS = 16;

const f = Math.fround;

/** Sub-block j's 6-bit scale and min from the 12 packed bytes at s[off..off+12). */
export function scaleMinK4(j: number, s: Uint8Array, off: number): [number, number] {
  if (j < 4) return [s[off + j] & 63, s[off + j + 4] & 63];
  return [(s[off + j + 4] & 0x0f) | ((s[off + j - 4] >>> 6) << 4), (s[off + j + 4] >>> 4) | ((s[off + j] >>> 6) << 4)];
}

function packScaleMin(out: Uint8Array, off: number, j: number, ls: number, lm: number): void {
  if (j < 4) {
    out[off + j] = ls;
    out[off + j + 4] = lm;
  } else {
    out[off + j + 4] = (ls & 0x0f) | ((lm & 0x0f) << 4);
    out[off + j - 4] |= (ls >>> 4) << 6;
    out[off + j] |= (lm >>> 4) << 6;
  }
}

/** x: [n] with n % 256 == 0 -> [n/256 blocks * 144 bytes]. */
export function quantizeRowQ4_K(x: Float32Array): Uint8Array {
  const nb = blocksInRow("q4_k", x.length, QK_K);
  const out = new Uint8Array(nb * Q4_K_BYTES);
  const L = new Uint8Array(QK_K);
  const laux = new Uint8Array(32);
  const weights = new Float32Array(32);
  const scales = new Float32Array(8);
  const mins = new Float32Array(8);
  for (let i = 0; i < nb; i++) {
    const xb = x.subarray(i * QK_K, (i + 1) * QK_K);
    const ob = i * Q4_K_BYTES;
    let maxScale = 0;
    let maxMin = 0;
    for (let j = 0; j < 8; j++) {
      const xs = xb.subarray(32 * j, 32 * j + 32);
      let sumX2 = 0;
      for (let l = 0; l < 32; l++) sumX2 = f(sumX2 + f(xs[l] * xs[l]));
      const avX = f(Math.sqrt(f(sumX2 / 32)));
      for (let l = 0; l < 32; l++) weights[l] = f(avX + Math.abs(xs[l]));
      const fit = makeQkx2Quants(32, 15, xs, weights, L.subarray(32 * j, 32 * j + 32), laux, -1, f(0.1), 20, false);
      scales[j] = fit.scale;
      mins[j] = fit.min;
      if (scales[j] > maxScale) maxScale = scales[j];
      if (mins[j] > maxMin) maxMin = mins[j];
    }
    const invScale = maxScale > 0 ? f(63 / maxScale) : 0;
    const invMin = maxMin > 0 ? f(63 / maxMin) : 0;
    for (let j = 0; j < 8; j++) {
      const ls = Math.min(63, nearestInt(f(invScale * scales[j])) & 0xff);
      const lm = Math.min(63, nearestInt(f(invMin * mins[j])) & 0xff);
      packScaleMin(out, ob + SCALES, j, ls, lm);
    }
    writeFp16(out, ob, f(maxScale / 63));
    writeFp16(out, ob + 2, f(maxMin / 63));
    const d = readFp16(out, ob);
    const dmin = readFp16(out, ob + 2);
    for (let j = 0; j < 8; j++) {
      const [sc, m] = scaleMinK4(j, out, ob + SCALES);
      const dj = f(d * sc);
      if (dj === 0) continue;
      const dm = f(dmin * m);
      for (let ii = 0; ii < 32; ii++) {
        const l = nearestInt(f(f(xb[32 * j + ii] + dm) / dj));
        L[32 * j + ii] = Math.max(0, Math.min(15, l));
      }
    }
    for (let g = 0; g < 4; g++) {
      for (let l = 0; l < 32; l++) out[ob + QS + 32 * g + l] = L[64 * g + l] | (L[64 * g + 32 + l] << 4);
    }
  }
  return out;
}

/** [nb * 144 bytes] -> [nb * 256] values. */
export function dequantizeRowQ4_K(bytes: Uint8Array): Float32Array {
  const nb = blocksInBytes("q4_k", bytes, Q4_K_BYTES);
  const out = new Float32Array(nb * QK_K);
  for (let i = 0; i < nb; i++) {
    const ob = i * Q4_K_BYTES;
    const d = readFp16(bytes, ob);
    const dmin = readFp16(bytes, ob + 2);
    for (let g = 0; g < 4; g++) {
      const [sc1, m1] = scaleMinK4(2 * g, bytes, ob + SCALES);
      const [sc2, m2] = scaleMinK4(2 * g + 1, bytes, ob + SCALES);
      const d1 = f(d * sc1);
      const min1 = f(dmin * m1);
      const d2 = f(d * sc2);
      const min2 = f(dmin * m2);
      const y = i * QK_K + 64 * g;
      for (let l = 0; l < 32; l++) {
        const q = bytes[ob + QS + 32 * g + l];
        out[y + l] = f(d1 * (q & 0x0f)) - min1;
        out[y + 32 + l] = f(d2 * (q >>> 4)) - min2;
      }
    }
  }
  return out;
}

/** w: Q4_K blocks, a: Q8_K blocks, both covering the same n values. */
export function vecDotQ4KQ8K(w: Uint8Array, a: Uint8Array): number {
  const nb = blocksInBytes("q4_k", w, Q4_K_BYTES);
  sameBlockCount("q4_k x q8_k", nb, blocksInBytes("q8_k", a, Q8_K_BYTES));
  const av = new DataView(a.buffer, a.byteOffset, a.byteLength);
  const sums = new Float32Array(8); // ggml's 8 float lanes: lane l = elements with index % 8 == l
  const aux32 = new Int32Array(8); // the integer lanes of one block
  let sumf = 0;
  for (let i = 0; i < nb; i++) {
    const wb = i * Q4_K_BYTES;
    const ab = i * Q8_K_BYTES;
    aux32.fill(0);
    let sumi = 0;
    for (let g = 0; g < 4; g++) {
      // group g: sub-block 2g in the low nibbles, 2g+1 in the high nibbles of 32 bytes
      const [sc1, m1] = scaleMinK4(2 * g, w, wb + SCALES);
      const [sc2, m2] = scaleMinK4(2 * g + 1, w, wb + SCALES);
      const bs = ab + Q8_K_BSUMS + 8 * g; // int16 bsums 4g..4g+3 (16 values each)
      sumi += (av.getInt16(bs, true) + av.getInt16(bs + 2, true)) * m1 + (av.getInt16(bs + 4, true) + av.getInt16(bs + 6, true)) * m2;
      const q = wb + QS + 32 * g;
      const y = ab + Q8_K_QS + 64 * g;
      for (let l = 0; l < 32; l++) {
        const byte = w[q + l];
        aux32[l & 7] += sc1 * ((a[y + l] << 24) >> 24) * (byte & 0x0f) + sc2 * ((a[y + 32 + l] << 24) >> 24) * (byte >>> 4);
      }
    }
    const yd = av.getFloat32(ab, true);
    const d = f(readFp16(w, wb) * yd);
    for (let l = 0; l < 8; l++) sums[l] = f(sums[l] + f(d * f(aux32[l])));
    const dmin = f(readFp16(w, wb + 2) * yd);
    sumf = f(sumf - f(dmin * f(sumi)));
  }
  for (let l = 0; l < 8; l++) sumf = f(sumf + sums[l]);
  return sumf;
}
