// The tensors a converted file of each family must hold, in llama.cpp's names (GGUF's, which
// the native container shares): per block and outside the blocks. From the families'
// definitions in transformers (LlamaDecoderLayer, Qwen2's q/k/v biases, GPT2Block's LayerNorm
// and Conv1D biases), not from the converter. A GPT-2 file may keep q, k and v fused
// (attn_qkv, as llama.cpp's converter writes them) or split.

import type { ExpectedArchitecture } from "./hf-config.ts";

const LLAMA_BLOCK = ["attn_norm.weight", "attn_q.weight", "attn_k.weight", "attn_v.weight", "attn_output.weight", "ffn_norm.weight", "ffn_gate.weight", "ffn_up.weight", "ffn_down.weight"];
const QKV_BIASES = ["attn_q.bias", "attn_k.bias", "attn_v.bias"];
const GPT2_BLOCK = ["attn_norm", "attn_output", "ffn_norm", "ffn_up", "ffn_down"].flatMap((t) => [`${t}.weight`, `${t}.bias`]);
const GPT2_QKV_SPLIT = ["attn_q", "attn_k", "attn_v"].flatMap((t) => [`${t}.weight`, `${t}.bias`]);
const GPT2_QKV_FUSED = ["attn_qkv.weight", "attn_qkv.bias"];

/** The per-block tensor sets a file of the family may have (more than one where q/k/v may be fused); null for a family this table lacks. */
export function blockTensorSets(family: string): string[][] | null {
  if (family === "llama") return [LLAMA_BLOCK];
  if (family === "qwen2") return [[...LLAMA_BLOCK, ...QKV_BIASES]];
  if (family === "gpt2") return [[...GPT2_BLOCK, ...GPT2_QKV_SPLIT], [...GPT2_BLOCK, ...GPT2_QKV_FUSED]];
  return null;
}

/** The tensors outside the blocks: the embedding, GPT-2's position table, the final norm, and the head when it is not tied. */
export function globalTensors(a: ExpectedArchitecture): string[] {
  const norm = a.family === "gpt2" ? ["output_norm.weight", "output_norm.bias"] : ["output_norm.weight"];
  return ["token_embd.weight", ...(a.family === "gpt2" ? ["position_embd.weight"] : []), ...norm, ...(a.tiedEmbeddings ? [] : ["output.weight"])];
}

/** blk.<i>.<rest> -> [i, rest]; null for a tensor outside the blocks. */
export function blockOf(name: string): [number, string] | null {
  const m = /^blk\.(\d+)\.(.+)$/.exec(name);
  return m ? [Number(m[1]), m[2]] : null;
}

export type TensorRole = "embedding" | "head" | "position" | "vector" | "matrix";

/** What a tensor is for, by name and rank: the roles a quantization policy tells apart. */
export function roleOf(name: string, shape: readonly number[]): TensorRole {
  if (name === "token_embd.weight") return "embedding";
  if (name === "output.weight") return "head";
  if (name === "position_embd.weight") return "position";
  return shape.length === 1 || shape.filter((d) => d > 1).length <= 1 ? "vector" : "matrix";
}
