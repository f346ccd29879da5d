// The GPT-2 family: LayerNorm, learned positions, an ungated gelu_new MLP, biases on every
// projection, a tied head by default. Its Conv1D weights are stored [in, out] and its
// attention is one fused c_attn; GGUF keeps q, k, v fused as attn_qkv. A specification only.

import { OUTPUT, OUTPUT_NORM, POSITION_EMBEDDING, TOKEN_EMBEDDING } from "../names.ts";
import { BYTE_LEVEL_PRE_TOKENIZER, type FamilySpec } from "./family.ts";

export const gpt2: FamilySpec = {
  family: "gpt2",
  hf: { modelType: "gpt2", architectures: ["GPT2LMHeadModel"] },
  traits: { norm: "layer", position: "learned", activation: "gelu_new", gatedMlp: false, embeddingScale: 1, qkvBias: true, outputBias: true, tiedEmbeddings: true },
  config: {
    vocabSize: { key: "vocab_size" },
    hidden: { key: "n_embd" },
    layers: { key: "n_layer" },
    heads: { key: "n_head" },
    maxPositions: { key: "n_positions" },
    intermediate: { key: "n_inner", fallback: ({ hidden }) => 4 * hidden },
    normEps: { key: "layer_norm_epsilon", fallback: () => 1e-5 },
  },
  activationKey: "activation_function",
  qkvBiasKey: null,
  tensors: {
    prefix: "transformer.",
    global: {
      "wte.weight": TOKEN_EMBEDDING,
      "wpe.weight": POSITION_EMBEDDING,
      "ln_f.weight": `${OUTPUT_NORM}.weight`,
      "ln_f.bias": `${OUTPUT_NORM}.bias`,
      "lm_head.weight": OUTPUT,
    },
    layerPrefix: "h.",
    layer: {
      "ln_1.weight": { to: "attn_norm.weight" },
      "ln_1.bias": { to: "attn_norm.bias" },
      "attn.c_attn.weight": { to: ["attn_q.weight", "attn_k.weight", "attn_v.weight"], conv1d: true },
      "attn.c_attn.bias": { to: ["attn_q.bias", "attn_k.bias", "attn_v.bias"] },
      "attn.c_proj.weight": { to: "attn_output.weight", conv1d: true },
      "attn.c_proj.bias": { to: "attn_output.bias" },
      "ln_2.weight": { to: "ffn_norm.weight" },
      "ln_2.bias": { to: "ffn_norm.bias" },
      "mlp.c_fc.weight": { to: "ffn_up.weight", conv1d: true },
      "mlp.c_fc.bias": { to: "ffn_up.bias" },
      "mlp.c_proj.weight": { to: "ffn_down.weight", conv1d: true },
      "mlp.c_proj.bias": { to: "ffn_down.bias" },
    },
    ignored: ["attn.bias", "attn.masked_bias"],
  },
  gguf: {
    architecture: "gpt2",
    hyperparameters: [
      { key: "context_length", field: "maxPositions", type: "u32" },
      { key: "embedding_length", field: "hidden", type: "u32" },
      { key: "block_count", field: "layers", type: "u32" },
      { key: "feed_forward_length", field: "intermediate", type: "u32" },
      { key: "attention.head_count", field: "heads", type: "u32" },
      { key: "attention.layer_norm_epsilon", field: "normEps", type: "f32" },
    ],
    fusedQkv: true,
    adjacentPairRope: false,
  },
  preTokenizer: { name: "gpt-2", json: BYTE_LEVEL_PRE_TOKENIZER },
  example: {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    vocab_size: 256,
    n_embd: 64,
    n_layer: 2,
    n_head: 4,
    n_positions: 128,
    n_inner: null,
  },
};
