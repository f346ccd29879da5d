// From a Hugging Face config.json (LlamaForCausalLM, Qwen2ForCausalLM, GPT2LMHeadModel)
// to one Architecture. Every field read is checked; errors name the file, the field and
// what was expected.

import { RefuteError } from "../../core/errors.ts";
import type { Architecture, Family } from "./architecture.ts";

type Json = Record<string, unknown>;

function field(config: Json, key: string, file: string, fallback?: number): number {
  const value = config[key] ?? fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RefuteError("CONFIG_BAD_FIELD", `${file}: field ${key} must be a positive number, found ${JSON.stringify(config[key])}`, {
      file,
      field: key,
      found: config[key],
    });
  }
  return value;
}

function integer(config: Json, key: string, file: string, fallback?: number): number {
  const value = field(config, key, file, fallback);
  if (!Number.isSafeInteger(value)) {
    throw new RefuteError("CONFIG_BAD_FIELD", `${file}: field ${key} must be an integer, found ${value}`, { file, field: key, found: value });
  }
  return value;
}

function tokenId(config: Json, key: string): number | null {
  const v = config[key];
  return typeof v === "number" && Number.isSafeInteger(v) ? v : null;
}

export function familyOf(config: Json, file: string): Family {
  const modelType = config.model_type;
  if (modelType === "llama" || modelType === "qwen2" || modelType === "gpt2") return modelType;
  throw new RefuteError("CONFIG_UNSUPPORTED_MODEL", `${file}: model_type ${JSON.stringify(modelType)} is not one of llama, qwen2, gpt2`, {
    file,
    field: "model_type",
    found: modelType,
  });
}

export function architectureFromHfConfig(config: unknown, file = "config.json"): Architecture {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new RefuteError("CONFIG_NOT_OBJECT", `${file}: must be a JSON object`, { file });
  }
  const c = config as Json;
  const family = familyOf(c, file);
  return family === "gpt2" ? gpt2(c, file) : llamaLike(c, file, family);
}

function llamaLike(c: Json, file: string, family: Family): Architecture {
  const hidden = integer(c, "hidden_size", file);
  const heads = integer(c, "num_attention_heads", file);
  const kvHeads = integer(c, "num_key_value_heads", file, heads);
  const headDim = integer(c, "head_dim", file, hidden / heads);
  checkHeads(heads, kvHeads, file);
  return {
    family,
    vocabSize: integer(c, "vocab_size", file),
    hidden,
    layers: integer(c, "num_hidden_layers", file),
    heads,
    kvHeads,
    headDim,
    intermediate: integer(c, "intermediate_size", file),
    maxPositions: integer(c, "max_position_embeddings", file),
    norm: "rms",
    normEps: field(c, "rms_norm_eps", file),
    position: "rope",
    ropeTheta: field(c, "rope_theta", file, 10000),
    mlp: "swiglu",
    qkvBias: family === "qwen2" || c.attention_bias === true,
    outputBias: false,
    tiedEmbeddings: c.tie_word_embeddings === undefined ? family === "llama" : c.tie_word_embeddings === true,
    bosTokenId: tokenId(c, "bos_token_id"),
    eosTokenId: tokenId(c, "eos_token_id"),
  };
}

function gpt2(c: Json, file: string): Architecture {
  const hidden = integer(c, "n_embd", file);
  const heads = integer(c, "n_head", file);
  const activation = c.activation_function ?? "gelu_new";
  if (activation !== "gelu_new") {
    throw new RefuteError("CONFIG_BAD_FIELD", `${file}: activation_function ${JSON.stringify(activation)} is not supported (expected gelu_new)`, {
      file,
      field: "activation_function",
    });
  }
  return {
    family: "gpt2",
    vocabSize: integer(c, "vocab_size", file),
    hidden,
    layers: integer(c, "n_layer", file),
    heads,
    kvHeads: heads,
    headDim: hidden / heads,
    intermediate: c.n_inner == null ? 4 * hidden : integer(c, "n_inner", file),
    maxPositions: integer(c, "n_positions", file),
    norm: "layer",
    normEps: field(c, "layer_norm_epsilon", file, 1e-5),
    position: "learned",
    ropeTheta: 0,
    mlp: "gelu",
    qkvBias: true,
    outputBias: true,
    tiedEmbeddings: c.tie_word_embeddings !== false,
    bosTokenId: tokenId(c, "bos_token_id"),
    eosTokenId: tokenId(c, "eos_token_id"),
  };
}

function checkHeads(heads: number, kvHeads: number, file: string): void {
  if (heads % kvHeads !== 0) {
    throw new RefuteError("CONFIG_BAD_FIELD", `${file}: num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}`, {
      file,
      field: "num_key_value_heads",
    });
  }
}
