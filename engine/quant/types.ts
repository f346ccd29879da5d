// The table of weight types the engine computes with: for each, its ggml type id, block
// geometry, the weight quantizer (strict: refuses NaN/inf and values the format cannot hold),
// the dequantizer, and the fused dot product against the activation format ggml pairs with it
// (Q8_0 for q8_0/q4_0, Q8_K for k-quants, the weight's own type for f32/f16/bf16).
//
// How to add a type: one file with quantize/dequantize/vecDot, then one entry below.

import { RefuteError } from "../../core/errors.ts";
import { decodeBf16Row, encodeBf16Row } from "./bfloat16.ts";
import { vecDotBf16, vecDotF16, vecDotF32 } from "./float-dot.ts";
import { decodeF16Row, encodeF16Row } from "./half.ts";
import { dequantizeRowQ4_0, quantizeRowQ4_0, vecDotQ4_0Q8_0 } from "./q4_0.ts";
import { dequantizeRowQ4_K, quantizeRowQ4_K, vecDotQ4KQ8K } from "./q4_k.ts";
import { dequantizeRowQ6_K, quantizeRowQ6_K, vecDotQ6KQ8K } from "./q6_k.ts";
import { dequantizeRowQ8_0, quantizeRowQ8_0, vecDotQ8_0Q8_0 } from "./q8_0.ts";
import { quantizeRowQ8_K } from "./q8_k.ts";
import { blocksInBytes, blocksInRow } from "./row-checks.ts";

export type QuantName = "f32" | "f16" | "bf16" | "q8_0" | "q4_0" | "q4_k" | "q6_k";
export type ActivationFormat = "f32" | "f16" | "bf16" | "q8_0" | "q8_k";

export interface QuantType {
  name: QuantName;
  /** ggml_type id as GGUF stores it */
  ggmlType: number;
  /** values per block */
  blockSize: number;
  bytesPerBlock: number;
  /** x: [n], n % blockSize == 0 -> n/blockSize blocks; throws QUANT_NON_FINITE / QUANT_OVERFLOW */
  quantizeRow(x: Float32Array): Uint8Array;
  /** whole blocks -> their values */
  dequantizeRow(bytes: Uint8Array): Float32Array;
  /** the format vecDot expects its second operand in */
  activation: ActivationFormat;
  /** x: [n] -> the activation format, as ggml quantizes src1 (no checks beyond length) */
  quantizeActivation(x: Float32Array): Uint8Array;
  /** w: this type's blocks, a: activation blocks over the same n values -> sum w_i a_i */
  vecDot(w: Uint8Array, a: Uint8Array): number;
}

function f32Bytes(x: Float32Array): Uint8Array {
  return new Uint8Array(x.slice().buffer);
}

function f32Row(bytes: Uint8Array): Float32Array {
  blocksInBytes("f32", bytes, 4);
  return new Float32Array(new Uint8Array(bytes).buffer); // a copy: Buffer#slice would be a view
}

function assertFinite(name: QuantName, x: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new RefuteError("QUANT_NON_FINITE", `${name}: value ${x[i]} at index ${i} is not finite`, { format: name, index: i, found: x[i] });
    }
  }
}

/** Weight quantization: finite input in, blocks whose every value is finite out. */
function strict(name: QuantName, blockSize: number, encode: (x: Float32Array) => Uint8Array, decode: (b: Uint8Array) => Float32Array) {
  return (x: Float32Array): Uint8Array => {
    blocksInRow(name, x.length, blockSize);
    assertFinite(name, x);
    const bytes = encode(x);
    const back = decode(bytes);
    for (let i = 0; i < back.length; i++) {
      if (!Number.isFinite(back[i])) {
        throw new RefuteError("QUANT_OVERFLOW", `${name}: value ${x[i]} at index ${i} is out of the format's range (dequantizes to ${back[i]})`, {
          format: name,
          index: i,
          found: x[i],
        });
      }
    }
    return bytes;
  };
}

function entry(
  name: QuantName,
  ggmlType: number,
  blockSize: number,
  bytesPerBlock: number,
  encode: (x: Float32Array) => Uint8Array,
  decode: (b: Uint8Array) => Float32Array,
  activation: ActivationFormat,
  quantizeActivation: (x: Float32Array) => Uint8Array,
  vecDot: (w: Uint8Array, a: Uint8Array) => number,
): QuantType {
  return { name, ggmlType, blockSize, bytesPerBlock, quantizeRow: strict(name, blockSize, encode, decode), dequantizeRow: decode, activation, quantizeActivation, vecDot };
}

export const QUANT_TYPES: Readonly<Record<QuantName, QuantType>> = {
  f32: entry("f32", 0, 1, 4, f32Bytes, f32Row, "f32", f32Bytes, vecDotF32),
  f16: entry("f16", 1, 1, 2, encodeF16Row, decodeF16Row, "f16", encodeF16Row, vecDotF16),
  bf16: entry("bf16", 30, 1, 2, encodeBf16Row, decodeBf16Row, "bf16", encodeBf16Row, vecDotBf16),
  q8_0: entry("q8_0", 8, 32, 34, quantizeRowQ8_0, dequantizeRowQ8_0, "q8_0", quantizeRowQ8_0, vecDotQ8_0Q8_0),
  q4_0: entry("q4_0", 2, 32, 18, quantizeRowQ4_0, dequantizeRowQ4_0, "q8_0", quantizeRowQ8_0, vecDotQ4_0Q8_0),
  q4_k: entry("q4_k", 12, 256, 144, quantizeRowQ4_K, dequantizeRowQ4_K, "q8_k", quantizeRowQ8_K, vecDotQ4KQ8K),
  q6_k: entry("q6_k", 14, 256, 210, quantizeRowQ6_K, dequantizeRowQ6_K, "q8_k", quantizeRowQ8_K, vecDotQ6KQ8K),
};

export function isQuantName(name: string): name is QuantName {
  return Object.hasOwn(QUANT_TYPES, name);
}

export function quantType(name: string): QuantType {
  if (!isQuantName(name)) {
    throw new RefuteError("QUANT_UNKNOWN_TYPE", `unknown weight type "${name}"`, { expected: Object.keys(QUANT_TYPES), found: name });
  }
  return QUANT_TYPES[name];
}

export function quantTypeByGgmlType(ggmlType: number): QuantType | undefined {
  return Object.values(QUANT_TYPES).find((t) => t.ggmlType === ggmlType);
}

/** Bytes of a row of n values; n must fill whole blocks. */
export function rowByteLength(type: QuantType, n: number): number {
  return blocksInRow(type.name, n, type.blockSize) * type.bytesPerBlock;
}
