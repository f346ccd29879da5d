// The Qwen2 family: the LLaMA layout (llama.ts), with these differences as data: q/k/v
// biases always, an untied head by default, its own pre-tokenizer, and llama.cpp keeps its
// RoPE on split halves (NEOX), so GGUF q/k rows are not permuted. A specification only.

import type { FamilySpec } from "./family.ts";
import { llama } from "./llama.ts";

// Qwen2's split regex (tokenizer.json of Qwen/Qwen2-0.5B).
const QWEN2_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

export const qwen2: FamilySpec = {
  ...llama,
  family: "qwen2",
  hf: { modelType: "qwen2", architectures: ["Qwen2ForCausalLM"] },
  traits: { ...llama.traits, qkvBias: true, tiedEmbeddings: false },
  qkvBiasKey: null,
  gguf: { ...llama.gguf, architecture: "qwen2", adjacentPairRope: false },
  preTokenizer: {
    name: "qwen2",
    json: {
      type: "Sequence",
      pretokenizers: [
        { type: "Split", pattern: { Regex: QWEN2_SPLIT }, behavior: "Isolated", invert: false },
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
      ],
    },
  },
  example: {
    architectures: ["Qwen2ForCausalLM"],
    model_type: "qwen2",
    vocab_size: 256,
    hidden_size: 64,
    intermediate_size: 96,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 1,
    max_position_embeddings: 128,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
  },
};
