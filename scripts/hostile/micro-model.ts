// The micro model of the hostile tests: a LLaMA-style model small enough to load thousands of
// times (vocab 257: the 256 bytes and one special token, hidden 32, one layer), its weights
// from a deterministic LCG so every file built from it is byte-identical on every run. The
// committed corpus (test/hostile/make-corpus.ts) and the campaign (scripts/hostile/) damage it.

import type { Tensor } from "../../engine/tensor.ts";
import { BYTE_TO_CHAR } from "../../engine/tokenizer/byte-level.ts";

export const config = {
  architectures: ["LlamaForCausalLM"],
  model_type: "llama",
  vocab_size: 257,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  max_position_embeddings: 64,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: true,
  bos_token_id: 256,
  eos_token_id: 256,
};

export const tokenizer = {
  version: "1.0",
  added_tokens: [{ id: 256, content: "<|endoftext|>", special: true, single_word: false, lstrip: false, rstrip: false, normalized: false }],
  normalizer: null,
  pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: null,
  decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: { type: "BPE", vocab: Object.fromEntries(BYTE_TO_CHAR.map((c, i) => [c, i])), merges: [] },
};

// A deterministic LCG: the corpus must come out byte-identical on every run.
let seed = 12345;

function random(): number {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31 - 0.5;
}

export function f32(name: string, shape: number[], fill?: number): Tensor {
  const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => fill ?? random() * 0.2);
  return { name, dtype: "f32", shape, data: new Uint8Array(values.buffer) };
}

export function hfTensors(overrides: Record<string, Tensor> = {}): Tensor[] {
  const h = 32;
  const tensors = [
    f32("model.embed_tokens.weight", [257, h]),
    f32("model.layers.0.input_layernorm.weight", [h], 1),
    f32("model.layers.0.self_attn.q_proj.weight", [h, h]),
    f32("model.layers.0.self_attn.k_proj.weight", [16, h]),
    f32("model.layers.0.self_attn.v_proj.weight", [16, h]),
    f32("model.layers.0.self_attn.o_proj.weight", [h, h]),
    f32("model.layers.0.post_attention_layernorm.weight", [h], 1),
    f32("model.layers.0.mlp.gate_proj.weight", [64, h]),
    f32("model.layers.0.mlp.up_proj.weight", [64, h]),
    f32("model.layers.0.mlp.down_proj.weight", [h, 64]),
    f32("model.norm.weight", [h], 1),
  ];
  return tensors.map((t) => overrides[t.name] ?? t);
}
