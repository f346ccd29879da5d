// Q4_0: blocks of 32 values as one f16 scale d and 32 4-bit quants; value = (q - 8) * d.
// Block layout (18 bytes): [0,2) d (f16 LE), [2,18) qs: byte j holds element j in its low
// nibble and element j+16 in its high nibble.
// quantizeRowQ4_0 is ggml's quantize_row_q4_0_ref: d = max / -8 where max is the value of
// largest magnitude (first one on ties), q = min(15, trunc(x/d + 8.5)). vecDotQ4_0Q8_0 is
// ggml_vec_dot_q4_0_q8_0_generic against a Q8_0-quantized activation (q8_0.ts).

import { readFp16, writeFp16 } from "./half.ts";
import { Q8_0_BYTES } from "./q8_0.ts";
import { blocksInBytes, blocksInRow, sameBlockCount } from "./row-checks.ts";

export const QK4_0 = 32;
export const Q4_0_BYTES = 18;

const f = Math.fround;

/** x: [n] with n % 32 == 0 -> [n/32 blocks * 18 bytes]. */
export function quantizeRowQ4_0(x: Float32Array): Uint8Array {
  const nb = blocksInRow("q4_0", x.length, QK4_0);
  const out = new Uint8Array(nb * Q4_0_BYTES);
  for (let i = 0; i < nb; i++) {
    const xb = i * QK4_0;
    const ob = i * Q4_0_BYTES;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QK4_0; j++) {
      const v = x[xb + j];
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = f(max / -8);
    const id = d !== 0 ? f(1 / d) : 0;
    writeFp16(out, ob, d);
    for (let j = 0; j < QK4_0 / 2; j++) {
      const q0 = Math.min(15, Math.trunc(f(f(x[xb + j] * id) + 8.5)));
      const q1 = Math.min(15, Math.trunc(f(f(x[xb + 16 + j] * id) + 8.5)));
      out[ob + 2 + j] = (q0 & 0x0f) | ((q1 & 0x0f) << 4);
    }
  }
  return out;
}

/** [nb * 18 bytes] -> [nb * 32] values. */
export function dequantizeRowQ4_0(bytes: Uint8Array): Float32Array {
  const nb = blocksInBytes("q4_0", bytes, Q4_0_BYTES);
  const out = new Float32Array(nb * QK4_0);
  for (let i = 0; i < nb; i++) {
    const ob = i * Q4_0_BYTES;
    const d = readFp16(bytes, ob);
    for (let j = 0; j < QK4_0 / 2; j++) {
      const byte = bytes[ob + 2 + j];
      out[i * QK4_0 + j] = ((byte & 0x0f) - 8) * d;
      out[i * QK4_0 + j + 16] = ((byte >>> 4) - 8) * d;
    }
  }
  return out;
}

/** w: Q4_0 blocks, a: Q8_0 blocks, both covering the same n values. */
export function vecDotQ4_0Q8_0(w: Uint8Array, a: Uint8Array): number {
  const nb = blocksInBytes("q4_0", w, Q4_0_BYTES);
  sameBlockCount("q4_0 x q8_0", nb, blocksInBytes("q8_0", a, Q8_0_BYTES));
  let sumf = 0;
  for (let i = 0; i < nb; i++) {
    const wb = i * Q4_0_BYTES;
    const ab = i * Q8_0_BYTES;
    let sumi = 0;
    for (let j = 0; j < QK4_0 / 2; j++) {
      const byte = w[wb + 2 + j];
      sumi += ((byte & 0x0f) - 8) * ((a[ab + 2 + j] << 24) >> 24);
      sumi += ((byte >>> 4) - 8) * ((a[ab + 2 + 16 + j] << 24) >> 24);
    }
    sumf = f(sumf + f(f(f(sumi) * readFp16(w, wb)) * readFp16(a, ab)));
  }
  return sumf;
}
