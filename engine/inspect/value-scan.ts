// The contract gate's look at every weight at load: how many values are NaN, infinite or zero,
// without the full statistics of `refute tensors` and without dequantizing what need not be.
// Float tensors are read in place; q8_0 and q4_0 blocks are judged from their fp16 scale and
// their codes (a value is d * q, or d * (q - 8): non-finite exactly when d is, zero when d or
// the code is); k-quants are dequantized a row at a time, never whole.

import { decodeF16Row } from "../quant/half.ts";
import { QUANT_TYPES } from "../quant/types.ts";
import { bf16ToFloat32, float32View, type Tensor } from "../tensor.ts";

export interface ValueCounts {
  elements: number;
  nan: number;
  inf: number;
  zeros: number;
}

function countFloats(values: Float32Array, into: ValueCounts): void {
  let { nan, inf, zeros } = into;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === 0) zeros++;
    else if (v - v !== 0) {
      // NaN - NaN and Inf - Inf are NaN; every finite v - v is 0
      if (Number.isNaN(v)) nan++;
      else inf++;
    }
  }
  into.nan = nan;
  into.inf = inf;
  into.zeros = zeros;
}

/** fp16 bits: 0 finite non-zero, 1 zero, 2 infinite, 3 NaN. */
function halfClass(h: number): number {
  const exponent = (h >> 10) & 0x1f;
  if (exponent === 31) return h & 0x3ff ? 3 : 2;
  return (h & 0x7fff) === 0 ? 1 : 0;
}

/** q8_0 (34-byte blocks: fp16 d, 32 int8) or q4_0 (18-byte blocks: fp16 d, 16 bytes of nibbles q, value d (q - 8)). */
function countBlocks(data: Uint8Array, blockBytes: number, zeroCodes: (data: Uint8Array, at: number) => number, into: ValueCounts): void {
  for (let at = 0; at + blockBytes <= data.length; at += blockBytes) {
    const c = halfClass(data[at] | (data[at + 1] << 8));
    if (c === 3) into.nan += 32;
    else if (c === 2) {
      const z = zeroCodes(data, at); // inf * 0 is NaN
      into.inf += 32 - z;
      into.nan += z;
    }
    else if (c === 1) into.zeros += 32;
    else into.zeros += zeroCodes(data, at);
  }
}

const q8Zeros = (data: Uint8Array, at: number) => {
  let n = 0;
  for (let i = at + 2; i < at + 34; i++) if (data[i] === 0) n++;
  return n;
};

const q4Zeros = (data: Uint8Array, at: number) => {
  let n = 0;
  for (let i = at + 2; i < at + 18; i++) {
    if ((data[i] & 0x0f) === 8) n++;
    if (data[i] >> 4 === 8) n++;
  }
  return n;
};

export function scanValues(t: Tensor): ValueCounts {
  const elements = t.shape.reduce((a, b) => a * b, 1);
  const counts: ValueCounts = { elements, nan: 0, inf: 0, zeros: 0 };
  switch (t.dtype) {
    case "f32":
      countFloats(float32View(t.data), counts);
      break;
    case "f16":
      countFloats(decodeF16Row(t.data), counts);
      break;
    case "bf16":
      countFloats(bf16ToFloat32(t.data), counts);
      break;
    case "q8_0":
      countBlocks(t.data, 34, q8Zeros, counts);
      break;
    case "q4_0":
      countBlocks(t.data, 18, q4Zeros, counts);
      break;
    default: {
      // k-quants: a row's blocks at a time, so no tensor is ever dequantized whole
      const type = QUANT_TYPES[t.dtype];
      const rowBytes = (t.shape[t.shape.length - 1] / type.blockSize) * type.bytesPerBlock;
      for (let at = 0; at < t.data.length; at += rowBytes) countFloats(type.dequantizeRow(t.data.subarray(at, at + rowBytes)), counts);
    }
  }
  return counts;
}
