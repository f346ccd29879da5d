// The LLaMA family as the engine runs it (SmolLM's checkpoints): RMSNorm, RoPE over split
// halves, a SiLU-gated MLP, grouped-query attention, optional q/k/v biases, a tied head by
// default. llama.cpp's llama architecture rotates adjacent pairs, so GGUF q/k rows are
// permuted. A specification only (family.ts); the readers are config.ts, hf-names.ts and the
// GGUF importer and exporter.

import { OUTPUT, OUTPUT_NORM, TOKEN_EMBEDDING } from "../names.ts";
import { BYTE_LEVEL_PRE_TOKENIZER, type FamilySpec } from "./family.ts";

export const llama: FamilySpec = {
  family: "llama",
  hf: { modelType: "llama", architectures: ["LlamaForCausalLM"] },
  traits: { norm: "rms", position: "rope", activation: "silu", gatedMlp: true, embeddingScale: 1, qkvBias: false, outputBias: false, tiedEmbeddings: true },
  config: {
    vocabSize: { key: "vocab_size" },
    hidden: { key: "hidden_size" },
    intermediate: { key: "intermediate_size" },
    layers: { key: "num_hidden_layers" },
    heads: { key: "num_attention_heads" },
    kvHeads: { key: "num_key_value_heads", fallback: ({ heads }) => heads },
    headDim: { key: "head_dim", fallback: ({ hidden, heads }) => hidden / heads },
    maxPositions: { key: "max_position_embeddings" },
    normEps: { key: "rms_norm_eps" },
    ropeTheta: { key: "rope_theta", fallback: () => 10000 },
  },
  activationKey: null,
  qkvBiasKey: "attention_bias",
  tensors: {
    global: {
      "model.embed_tokens.weight": TOKEN_EMBEDDING,
      "model.norm.weight": `${OUTPUT_NORM}.weight`,
      "lm_head.weight": OUTPUT,
    },
    layerPrefix: "model.layers.",
    layer: {
      "input_layernorm.weight": { to: "attn_norm.weight" },
      "self_attn.q_proj.weight": { to: "attn_q.weight" },
      "self_attn.q_proj.bias": { to: "attn_q.bias" },
      "self_attn.k_proj.weight": { to: "attn_k.weight" },
      "self_attn.k_proj.bias": { to: "attn_k.bias" },
      "self_attn.v_proj.weight": { to: "attn_v.weight" },
      "self_attn.v_proj.bias": { to: "attn_v.bias" },
      "self_attn.o_proj.weight": { to: "attn_output.weight" },
      "post_attention_layernorm.weight": { to: "ffn_norm.weight" },
      "mlp.gate_proj.weight": { to: "ffn_gate.weight" },
      "mlp.up_proj.weight": { to: "ffn_up.weight" },
      "mlp.down_proj.weight": { to: "ffn_down.weight" },
    },
    ignored: ["rotary_emb.inv_freq"],
  },
  gguf: {
    architecture: "llama",
    hyperparameters: [
      { key: "context_length", field: "maxPositions", type: "u32" },
      { key: "embedding_length", field: "hidden", type: "u32" },
      { key: "block_count", field: "layers", type: "u32" },
      { key: "feed_forward_length", field: "intermediate", type: "u32" },
      { key: "attention.head_count", field: "heads", type: "u32" },
      { key: "attention.head_count_kv", field: "kvHeads", type: "u32", optional: true },
      { key: "rope.freq_base", field: "ropeTheta", type: "f32", optional: true },
      // llama.cpp's n_rot, the rotary dims: the whole head here (Architecture.rotaryDims), so read back as head_dim.
      { key: "rope.dimension_count", field: "headDim", type: "u32", optional: true },
      { key: "attention.layer_norm_rms_epsilon", field: "normEps", type: "f32" },
      { key: "vocab_size", field: "vocabSize", type: "u32" },
    ],
    fusedQkv: false,
    adjacentPairRope: true,
  },
  preTokenizer: {
    name: "smollm",
    json: { type: "Sequence", pretokenizers: [{ type: "Digits", individual_digits: true }, BYTE_LEVEL_PRE_TOKENIZER] },
  },
  example: {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    vocab_size: 256,
    hidden_size: 64,
    intermediate_size: 128,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 128,
    rms_norm_eps: 1e-5,
  },
};
