// GGUF (as llama.cpp writes it, or refute's own export) back to a model source: an HF-style
// config.json and tokenizer.json rebuilt from the metadata, canonical tensors in the
// engine's [out, in] layout (dims reversed), llama's q/k rows returned to split halves, and
// gpt2's fused attn_qkv split into q, k, v.

import { RefuteError } from "../../core/errors.ts";
import { metadataNumber, metadataString, metadataStrings } from "../formats/gguf/metadata.ts";
import type { GgufFile } from "../formats/gguf/read.ts";
import type { ModelSource, SourceFile } from "../load.ts";
import { quantTypeByGgmlType } from "../quant/types.ts";
import type { Tensor } from "../tensor.ts";
import type { Architecture } from "./architecture.ts";
import { architectureFromHfConfig } from "./config.ts";
import { PRE_TOKENIZER_NAME } from "./gguf-export.ts";
import { OUTPUT } from "./names.ts";
import { toSplitHalves } from "./rope-permute.ts";

type Family = Architecture["family"];

function familyOf(file: GgufFile): Family {
  const a = metadataString(file.metadata, "general.architecture");
  if (a === "llama" || a === "qwen2" || a === "gpt2") return a;
  throw new RefuteError("GGUF_UNSUPPORTED_ARCH", `GGUF: general.architecture "${a}" is not one of llama, qwen2, gpt2`, { field: "general.architecture", found: a });
}

function optionalNumber(file: GgufFile, key: string): number | null {
  return file.metadata.has(key) ? metadataNumber(file.metadata, key) : null;
}

function hfConfig(file: GgufFile, family: Family): Record<string, unknown> {
  const n = (key: string) => metadataNumber(file.metadata, `${family}.${key}`);
  const tokens = metadataStrings(file.metadata, "tokenizer.ggml.tokens");
  const tied = !file.tensors.some((t) => t.name === OUTPUT);
  const ids = { bos_token_id: optionalNumber(file, "tokenizer.ggml.bos_token_id"), eos_token_id: optionalNumber(file, "tokenizer.ggml.eos_token_id") };
  if (family === "gpt2") {
    return {
      architectures: ["GPT2LMHeadModel"],
      model_type: "gpt2",
      vocab_size: tokens.length,
      n_embd: n("embedding_length"),
      n_layer: n("block_count"),
      n_head: n("attention.head_count"),
      n_positions: n("context_length"),
      n_inner: n("feed_forward_length"),
      activation_function: "gelu_new",
      layer_norm_epsilon: n("attention.layer_norm_epsilon"),
      tie_word_embeddings: tied,
      ...ids,
    };
  }
  const hidden = n("embedding_length");
  const heads = n("attention.head_count");
  return {
    architectures: [family === "llama" ? "LlamaForCausalLM" : "Qwen2ForCausalLM"],
    model_type: family,
    vocab_size: tokens.length,
    hidden_size: hidden,
    intermediate_size: n("feed_forward_length"),
    num_hidden_layers: n("block_count"),
    num_attention_heads: heads,
    num_key_value_heads: optionalNumber(file, `${family}.attention.head_count_kv`) ?? heads,
    head_dim: optionalNumber(file, `${family}.rope.dimension_count`) ?? hidden / heads,
    max_position_embeddings: n("context_length"),
    rms_norm_eps: n("attention.layer_norm_rms_epsilon"),
    rope_theta: optionalNumber(file, `${family}.rope.freq_base`) ?? 10000,
    tie_word_embeddings: tied,
    attention_bias: family === "llama" && file.tensors.some((t) => t.name.endsWith("attn_q.bias")),
    ...ids,
  };
}

// The pre-tokenizer JSON Hugging Face writes for each llama.cpp `pre` name this engine knows.
const BYTE_LEVEL = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
const QWEN2_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const PRE_TOKENIZERS: Record<string, unknown> = {
  "gpt-2": BYTE_LEVEL,
  smollm: { type: "Sequence", pretokenizers: [{ type: "Digits", individual_digits: true }, BYTE_LEVEL] },
  qwen2: {
    type: "Sequence",
    pretokenizers: [
      { type: "Split", pattern: { Regex: QWEN2_SPLIT }, behavior: "Isolated", invert: false },
      { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
    ],
  },
};

function tokenizerJson(file: GgufFile, family: Family): unknown {
  const model = metadataString(file.metadata, "tokenizer.ggml.model");
  if (model !== "gpt2") throw new RefuteError("GGUF_UNSUPPORTED_TOKENIZER", `GGUF: tokenizer.ggml.model "${model}" is not the byte-level BPE "gpt2"`, { field: "tokenizer.ggml.model" });
  const pre = file.metadata.has("tokenizer.ggml.pre") ? metadataString(file.metadata, "tokenizer.ggml.pre") : PRE_TOKENIZER_NAME[family];
  const preTokenizer = PRE_TOKENIZERS[pre];
  if (!preTokenizer) throw new RefuteError("GGUF_UNSUPPORTED_TOKENIZER", `GGUF: tokenizer.ggml.pre "${pre}" is not one of ${Object.keys(PRE_TOKENIZERS).join(", ")}`, { field: "tokenizer.ggml.pre" });
  const tokens = metadataStrings(file.metadata, "tokenizer.ggml.tokens");
  const typeValue = file.metadata.get("tokenizer.ggml.token_type");
  const types = typeValue?.type === "array" && typeValue.itemType === "i32" ? typeValue.value : new Int32Array(tokens.length).fill(1);
  const vocab: Record<string, number> = {};
  const added: { id: number; content: string; special: boolean }[] = [];
  tokens.forEach((token, id) => {
    if (types[id] === 5) return; // unused padding slot
    if (types[id] === 3 || types[id] === 4) added.push({ id, content: token, special: types[id] === 3 });
    vocab[token] = id;
  });
  return {
    version: "1.0",
    added_tokens: added.map((t) => ({ ...t, single_word: false, lstrip: false, rstrip: false, normalized: false })),
    normalizer: null,
    pre_tokenizer: preTokenizer,
    post_processor: null,
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: "BPE", vocab, merges: metadataStrings(file.metadata, "tokenizer.ggml.merges") },
  };
}

function dtypeOf(ggmlType: number, name: string): Tensor["dtype"] {
  const t = quantTypeByGgmlType(ggmlType);
  if (!t) throw new RefuteError("GGUF_UNSUPPORTED_TENSOR_TYPE", `GGUF: tensor ${name} has ggml type ${ggmlType}, which the engine does not run`, { tensor: name, found: ggmlType });
  return t.name;
}

/** Consecutive row ranges of a [rows, cols] (or [rows]) tensor; rows are whole blocks. */
function splitRows(t: Tensor, counts: number[], names: string[]): Tensor[] {
  const rowBytes = t.data.byteLength / t.shape[0];
  let row = 0;
  return counts.map((rows, i) => {
    const part = { name: names[i], dtype: t.dtype, shape: [rows, ...t.shape.slice(1)], data: t.data.subarray(row * rowBytes, (row + rows) * rowBytes) };
    row += rows;
    return part;
  });
}

export interface GgufImportOptions {
  /** Teeth fault: read each tensor's bytes this many bytes early, as if alignment padding did not exist. */
  misalignBy?: number;
}

function tensorBytes(data: Uint8Array, misalignBy: number): Uint8Array {
  return misalignBy ? new Uint8Array(data.buffer, data.byteOffset - misalignBy, data.byteLength) : data;
}

function canonicalTensors(file: GgufFile, arch: Architecture, options: GgufImportOptions): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const g of file.tensors) {
    const t: Tensor = { name: g.name, dtype: dtypeOf(g.type, g.name), shape: [...g.dims].reverse(), data: tensorBytes(g.data, options.misalignBy ?? 0) };
    const fused = /^blk\.(\d+)\.attn_qkv\.(weight|bias)$/.exec(g.name);
    if (fused) {
      const q = arch.heads * arch.headDim;
      const kv = arch.kvHeads * arch.headDim;
      if (t.shape[0] !== q + 2 * kv) {
        throw new RefuteError("LAYOUT_WEIGHT_SHAPE", `tensor ${g.name}: ${t.shape[0]} rows, expected q + k + v = ${q + 2 * kv}`, { tensor: g.name, expected: q + 2 * kv, found: t.shape[0] });
      }
      const names = ["q", "k", "v"].map((p) => `blk.${fused[1]}.attn_${p}.${fused[2]}`);
      for (const part of splitRows(t, [q, kv, kv], names)) out.set(part.name, part);
      continue;
    }
    const qk = /^blk\.\d+\.attn_[qk]\.(weight|bias)$/.test(g.name);
    out.set(g.name, qk && arch.family === "llama" ? { ...t, data: toSplitHalves(t.data, t.shape[0], arch.headDim) } : t);
  }
  return out;
}

/** Scalars as they are, arrays as their item type and length (token lists are long). */
function ggufDetails(file: GgufFile): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  for (const [key, v] of file.metadata) {
    metadata[key] = v.type === "array" ? `[${v.itemType} x ${v.value.length}]` : typeof v.value === "bigint" ? v.value.toString() : v.value;
  }
  return { version: file.version, alignment: file.alignment, metadata };
}

export function sourceFromGguf(file: GgufFile, files: SourceFile[], options: GgufImportOptions = {}): ModelSource {
  const family = familyOf(file);
  const config = hfConfig(file, family);
  const arch = architectureFromHfConfig(config, "GGUF metadata");
  return { format: "gguf", arch, config, tensors: canonicalTensors(file, arch, options), tokenizerJson: tokenizerJson(file, family), files, details: ggufDetails(file) };
}
