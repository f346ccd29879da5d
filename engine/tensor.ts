// The engine's tensor: a name, a dtype, a row-major shape (outermost first, so a weight is
// [out, in]) and the raw little-endian bytes. Quantized dtypes keep their llama.cpp blocks.

export type FloatDType = "f32" | "f16" | "bf16";
export type QuantDType = "q8_0" | "q4_0" | "q4_k" | "q6_k";
export type DType = FloatDType | QuantDType;

export interface Tensor {
  name: string;
  dtype: DType;
  shape: number[];
  data: Uint8Array;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A Float32Array over the bytes without copying when they are 4-byte aligned. */
export function float32View(bytes: Uint8Array): Float32Array {
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  // A copy into a fresh buffer: Buffer#slice (a Node file buffer is one) is a view, not a copy.
  return new Float32Array(new Uint8Array(bytes).buffer);
}

export function bf16ToFloat32(bytes: Uint8Array): Float32Array {
  const n = bytes.byteLength / 2;
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) bits[i] = (bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16;
  return out;
}

export function float32Bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
