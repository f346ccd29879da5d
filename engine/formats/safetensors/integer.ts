// SafeTensors with 8-bit integer tensors (U8, I8) beside the float ones, for files that hold
// quantization codes (the compressed KV caches of engine/kv/file.ts). Model loading keeps the
// float-only reader (read.ts): a model tensor stored as U8 or I8 stays an error there.
// The same header parser checks every length and offset; only the dtype table is wider.

import type { Tensor } from "../../tensor.ts";
import { BYTES_PER_ELEMENT, parseSafeTensorsHeader } from "./header.ts";
import { writeSafeTensorsBytes } from "./write.ts";

export const INTEGER_DTYPE_SIZES: Readonly<Record<string, number>> = { ...BYTES_PER_ELEMENT, U8: 1, I8: 1 };

export interface RawTensor {
  name: string;
  dtype: string; // "F32", "F16", "BF16", "U8" or "I8", as the header names it
  shape: number[];
  data: Uint8Array; // a view into the file's bytes
}

export interface RawSafeTensors {
  tensors: Map<string, RawTensor>;
  metadata: Record<string, string>;
}

export function readSafeTensorsWithIntegers(bytes: Uint8Array, file: string): RawSafeTensors {
  const header = parseSafeTensorsHeader(bytes, file, INTEGER_DTYPE_SIZES);
  const tensors = new Map<string, RawTensor>();
  for (const e of header.entries) {
    tensors.set(e.name, { name: e.name, dtype: e.dtype, shape: e.shape, data: bytes.subarray(header.dataStart + e.begin, header.dataStart + e.end) });
  }
  return { tensors, metadata: header.metadata };
}

/** The writer is dtype-agnostic (it copies bytes and names the dtype); only its type is float-only. */
export function writeSafeTensorsWithIntegers(tensors: RawTensor[], metadata: Record<string, string>): Uint8Array {
  return writeSafeTensorsBytes(tensors.map((t) => ({ ...t, dtype: t.dtype.toLowerCase() as Tensor["dtype"] })), metadata);
}
