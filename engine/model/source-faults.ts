// Bugs that live in the weights a loader or converter produces, as source transforms: each
// takes a clean model source and returns the one a buggy loader or writer would have
// produced. Each is an EngineHooks.loadedSource or .quantizedSource value (engine/hooks.ts),
// applied only when a caller sets that hook.

import type { ModelSource } from "../load.ts";
import { fp16BitsToFp32, fp32ToFp16Bits } from "../quant/half.ts";
import { bf16BitsToFp32, fp32ToBf16Bits } from "../quant/bfloat16.ts";
import type { Tensor } from "../tensor.ts";
import { quantType } from "../quant/types.ts";
import { toFloat32 } from "./dequantize.ts";
import { convertTensor } from "./quantize.ts";
import { transpose2d } from "./hf-names.ts";
import { OUTPUT, TOKEN_EMBEDDING } from "./names.ts";

function mapTensors(source: ModelSource, fn: (t: Tensor) => Tensor): ModelSource {
  return { ...source, tensors: new Map([...source.tensors].map(([name, t]) => [name, fn(t)])) };
}

/** [vocab, hidden] values read as if the bytes were [hidden, vocab], then brought to [vocab, hidden]. */
function readTransposed(t: Tensor): Tensor {
  return transpose2d({ ...t, shape: [t.shape[1], t.shape[0]] }, t.name);
}

function zeroed(t: Tensor): Tensor {
  return { ...t, dtype: "f32", data: new Uint8Array(t.shape.reduce((a, b) => a * b, 1) * 4) };
}

/** Q4_0 blocks (f16 d, 16 bytes of nibbles) with the two nibbles of every byte exchanged. */
function swapQ4Nibbles(t: Tensor): Tensor {
  const data = t.data.slice();
  for (let block = 0; block < data.length; block += 18) {
    for (let j = block + 2; j < block + 18; j++) data[j] = ((data[j] & 0x0f) << 4) | (data[j] >> 4);
  }
  return { ...t, data };
}

/** Q8_0 blocks (f16 d, 32 int8) whose scale went through bf16 on its way to fp16. */
function bf16Q8Scales(t: Tensor): Tensor {
  const data = t.data.slice();
  for (let block = 0; block < data.length; block += 34) {
    const d = fp16BitsToFp32(data[block] | (data[block + 1] << 8));
    const bits = fp32ToFp16Bits(bf16BitsToFp32(fp32ToBf16Bits(d)));
    data[block] = bits & 0xff;
    data[block + 1] = bits >> 8;
  }
  return { ...t, data };
}

/** Loader bug: the token embedding read as if stored [hidden, vocab] (dims not reversed). */
export function embeddingReadTransposed(source: ModelSource): ModelSource {
  return mapTensors(source, (t) => (t.name === TOKEN_EMBEDDING ? readTransposed(t) : t));
}

/** Loader bug: the q/k/v projection biases ignored (zeros). */
export function qkvBiasesDropped(source: ModelSource): ModelSource {
  return mapTensors(source, (t) => (/attn_[qkv]\.bias$/.test(t.name) ? zeroed(t) : t));
}

/**
 * Loader bug: an untied head ignored and the token embedding used as the head. The head keeps
 * its name and shape [vocab, hidden] but holds the embedding's values, so the bug survives
 * every format the model is written to afterwards. A tied model is left as it is.
 */
export function untiedHeadAsTied(source: ModelSource): ModelSource {
  const embedding = source.tensors.get(TOKEN_EMBEDDING);
  if (source.arch.tiedEmbeddings || !embedding) return source;
  return mapTensors(source, (t) => (t.name === OUTPUT ? { ...embedding, name: OUTPUT } : t));
}

/**
 * Port bug, graded: every layer's attention and MLP output (the branches added to the
 * residual stream) scaled by `scale`, as a residual path off by a factor would leave it:
 * x + scale * f(x). Made on the float source, so it reaches every format.
 */
export function residualBranchesScaled(scale: number): (source: ModelSource) => ModelSource {
  const branch = /^blk\.\d+\.(attn_output|ffn_down)\.(weight|bias)$/;
  return (source) => mapTensors(source, (t) => (branch.test(t.name) ? scaled(t, scale) : t));
}

function scaled(t: Tensor, scale: number): Tensor {
  const values = toFloat32(t).map((v) => v * scale);
  return { ...t, dtype: "f32", data: new Uint8Array(values.buffer) };
}

/** Quantizer-writer bug: Q4_0 blocks with elements i and i + 16 in each other's nibble. */
export function q4NibblesSwapped(source: ModelSource): ModelSource {
  return mapTensors(source, (t) => (t.dtype === "q4_0" ? swapQ4Nibbles(t) : t));
}

/** Quantizer-writer bug: Q8_0 block scales rounded to bf16 precision on their way to fp16. */
export function q8ScalesThroughBf16(source: ModelSource): ModelSource {
  return mapTensors(source, (t) => (t.dtype === "q8_0" ? bf16Q8Scales(t) : t));
}

/** Quantizer-writer bug of the 4-bit mix (the seed's issue #232): the token embedding written as all-zero blocks. Other mixes are left as they are. */
export function q4MixEmbeddingZeroed(source: ModelSource): ModelSource {
  if (![...source.tensors.values()].some((t) => t.dtype === "q4_0")) return source;
  return mapTensors(source, (t) => (t.name === TOKEN_EMBEDDING ? { ...t, data: new Uint8Array(t.data.length) } : t));
}

/**
 * Quantization-policy bug: vectors (norm weights, biases) quantized with the matrices, as a
 * policy that looks at names and not at rank would: each vector whose length fills the mix's
 * blocks gets the type of the mix's matrices.
 */
export function vectorsQuantized(source: ModelSource): ModelSource {
  const mix = [...source.tensors.values()].find((t) => t.shape.length === 2 && t.name !== TOKEN_EMBEDDING && t.name !== OUTPUT && t.dtype !== "f32")?.dtype;
  if (!mix) return source;
  const block = quantType(mix).blockSize;
  return mapTensors(source, (t) => (t.shape.length === 1 && t.shape[0] % block === 0 ? convertTensor(t, mix) : t));
}
