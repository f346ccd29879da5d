// bfloat16 ("bf16", ggml_bf16_t): the top 16 bits of a binary32. Conversion from f32 rounds to
// nearest, ties to even, and turns every NaN into a quiet NaN, exactly as ggml's
// GGML_FP32_TO_BF16; widening is exact. Not here: IEEE half (half.ts).

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

export function fp32ToBf16Bits(x: number): number {
  f32Scratch[0] = x;
  const w = u32Scratch[0];
  if ((w & 0x7fffffff) > 0x7f800000) return ((w >>> 16) | 64) & 0xffff;
  return ((w + 0x7fff + ((w >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bf16BitsToFp32(h: number): number {
  u32Scratch[0] = (h & 0xffff) << 16;
  return f32Scratch[0];
}

/** x (n values) to n little-endian bf16 (2n bytes). */
export function encodeBf16Row(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 2);
  for (let i = 0; i < x.length; i++) {
    const h = fp32ToBf16Bits(x[i]);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}

/** n little-endian bf16 (2n bytes) to n values. */
export function decodeBf16Row(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length >>> 1);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < out.length; i++) bits[i] = (bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16;
  return out;
}
