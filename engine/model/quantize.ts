// Which type each tensor gets when a model is quantized, and the quantization itself.
// Policy:
// - vectors (norm weights, biases) and GPT-2's position table stay f32: they are tiny and
//   every value matters;
// - the token embedding and the output head get q8_0 whatever the requested type: every
//   greedy choice goes through the head (llama.cpp also keeps it at higher precision in its
//   4-bit mixes), and embeddings are read row by row;
// - every other matrix gets the requested type; a k-quant needs rows that fill 256-value
//   super-blocks, and a matrix whose rows do not falls back to q4_0 (llama.cpp falls back
//   to q5_0, which the engine does not implement).

import type { ModelSource } from "../load.ts";
import { quantType } from "../quant/types.ts";
import { float32Bytes, type DType, type Tensor } from "../tensor.ts";
import { toFloat32 } from "./dequantize.ts";
import { OUTPUT, POSITION_EMBEDDING, TOKEN_EMBEDDING } from "./names.ts";

import type { FileQuant } from "../../core/vocabulary.ts";

/** The quantizations the engine writes: the vocabulary's file quants. */
export type Quantization = FileQuant;

export function tensorTypeFor(name: string, shape: readonly number[], quantization: Quantization): DType {
  if (quantization === "f32" || shape.length !== 2 || name === POSITION_EMBEDDING) return "f32";
  if (name === TOKEN_EMBEDDING || name === OUTPUT) return "q8_0";
  if (quantization === "q4_k" && shape[1] % 256 !== 0) return "q4_0";
  return quantization;
}

export function convertTensor(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const values = toFloat32(t);
  const data = dtype === "f32" ? float32Bytes(values.slice()) : quantType(dtype).quantizeRow(values);
  return { name: t.name, dtype, shape: t.shape, data };
}

export function quantizeSource(source: ModelSource, quantization: Quantization): ModelSource {
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of source.tensors) tensors.set(name, convertTensor(t, tensorTypeFor(name, t.shape, quantization)));
  return { ...source, tensors };
}
