// IEEE 754 binary16 ("f16", ggml_fp16_t) <-> binary32, bit for bit as ggml's
// GGML_FP32_TO_FP16 / GGML_FP16_TO_FP32 and numpy's float16: round to nearest, ties to even,
// overflow to ±inf, gradual underflow through the half subnormals, NaN kept as a quiet NaN.
// Not here: bfloat16 (bfloat16.ts).

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** The bits of the half nearest to x (ties to even). */
export function fp32ToFp16Bits(x: number): number {
  f32Scratch[0] = x;
  const w = u32Scratch[0];
  const sign = (w >>> 16) & 0x8000;
  const exp = (w >>> 23) & 0xff;
  const mant = w & 0x7fffff;
  if (exp === 0xff) return sign | (mant !== 0 ? 0x7e00 : 0x7c00);
  const halfExp = exp - 127 + 15;
  if (halfExp >= 31) return sign | 0x7c00;
  if (halfExp >= 1) {
    // normal half: keep 10 of the 23 mantissa bits, round on the 13 dropped ones; a carry
    // out of the mantissa bumps the exponent, and out of exponent 30 gives inf (0x7c00).
    const kept = (halfExp << 10) | (mant >>> 13);
    const dropped = mant & 0x1fff;
    const roundUp = dropped > 0x1000 || (dropped === 0x1000 && (kept & 1) === 1);
    return sign | (kept + (roundUp ? 1 : 0));
  }
  // subnormal half: value = m * 2^(exp-150) with the implicit bit; in units of 2^-24 that is
  // m * 2^(exp-126), so shift right by 126 - exp (>= 14) and round on the dropped bits.
  const shift = 126 - exp;
  if (exp === 0 || shift > 25) return sign;
  const m = mant | 0x800000;
  const kept = m >>> shift;
  const dropped = m & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  const roundUp = dropped > halfway || (dropped === halfway && (kept & 1) === 1);
  return sign | (kept + (roundUp ? 1 : 0));
}

function decodeHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant !== 0 ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** Every half's value, as ggml keeps ggml_table_f32_f16 (65 536 entries, 256 KiB). */
export const FP16_TABLE: Float32Array = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = decodeHalf(h);
  return t;
})();

/** The exact value of a half given by its bits. */
export function fp16BitsToFp32(h: number): number {
  return FP16_TABLE[h & 0xffff];
}

/** The half at bytes[offset..offset+2), little-endian, as a number. */
export function readFp16(bytes: Uint8Array, offset: number): number {
  return FP16_TABLE[bytes[offset] | (bytes[offset + 1] << 8)];
}

export function writeFp16(bytes: Uint8Array, offset: number, x: number): void {
  const h = fp32ToFp16Bits(x);
  bytes[offset] = h & 0xff;
  bytes[offset + 1] = h >>> 8;
}

/** x (n values) to n little-endian halves (2n bytes). */
export function encodeF16Row(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 2);
  for (let i = 0; i < x.length; i++) writeFp16(out, 2 * i, x[i]);
  return out;
}

/** n little-endian halves (2n bytes) to n values, exact (every half is a single), through the table: a model's F16 weights at a few ns each. */
export function decodeF16Row(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length >>> 1);
  if (bytes.byteOffset % 2 === 0) {
    // the halves in place (the engine reads little-endian files on little-endian hosts)
    const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, out.length);
    for (let i = 0; i < out.length; i++) out[i] = FP16_TABLE[halves[i]];
  } else {
    for (let i = 0; i < out.length; i++) out[i] = readFp16(bytes, 2 * i);
  }
  return out;
}
