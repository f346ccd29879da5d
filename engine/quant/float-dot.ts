// Dot products for the unquantized weight types, as ggml's scalar (non-SIMD) code computes
// them: each product in float, the running sum in double (ggml_float), the result rounded to
// float. ggml converts the f32 activation to the weight's type first (vec_dot_type), so an
// f16 weight meets an f16 activation and a bf16 weight a bf16 activation.
// Both operands are little-endian bytes: f32 = 4 bytes per value, f16 and bf16 = 2.

import { bf16BitsToFp32 } from "./bfloat16.ts";
import { FP16_TABLE } from "./half.ts";
import { sameBlockCount } from "./row-checks.ts";

const f = Math.fround;

function f32Values(bytes: Uint8Array): Float32Array {
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  return new Float32Array(new Uint8Array(bytes).buffer); // a copy: Buffer#slice would be a view
}

export function vecDotF32(w: Uint8Array, a: Uint8Array): number {
  sameBlockCount("f32 x f32", w.length >>> 2, a.length >>> 2);
  const x = f32Values(w);
  const y = f32Values(a);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += f(x[i] * y[i]);
  return f(sum);
}

export function vecDotF16(w: Uint8Array, a: Uint8Array): number {
  sameBlockCount("f16 x f16", w.length >>> 1, a.length >>> 1);
  let sum = 0;
  for (let i = 0; i < w.length; i += 2) {
    sum += FP16_TABLE[w[i] | (w[i + 1] << 8)] * FP16_TABLE[a[i] | (a[i + 1] << 8)];
  }
  return f(sum);
}

export function vecDotBf16(w: Uint8Array, a: Uint8Array): number {
  sameBlockCount("bf16 x bf16", w.length >>> 1, a.length >>> 1);
  let sum = 0;
  for (let i = 0; i < w.length; i += 2) {
    sum += bf16BitsToFp32(w[i] | (w[i + 1] << 8)) * bf16BitsToFp32(a[i] | (a[i + 1] << 8));
  }
  return f(sum);
}
