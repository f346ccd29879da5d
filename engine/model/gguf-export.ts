// A model (canonical tensors, HF config and tokenizer) as GGUF with llama.cpp's conventions:
// general.architecture and the <arch>.* keys of the family's specification (families/),
// tokenizer.ggml.* (byte-level BPE, or SentencePiece: gguf-spm-export.ts), tensor names as llama.cpp's loader expects them, dims
// innermost first. q/k rows are permuted where llama.cpp rotates adjacent pairs; q, k, v are
// fused back into one attn_qkv where the family stores them so.

import { RefuteError } from "../../core/errors.ts";
import type { GgufTensorInput, GgufWriteInput } from "../formats/gguf/write.ts";
import type { GgufValue } from "../formats/gguf/value.ts";
import { NO_HOOKS, type EngineHooks } from "../hooks.ts";
import type { ModelSource } from "../load.ts";
import { quantType } from "../quant/types.ts";
import type { Tensor } from "../tensor.ts";
import type { Architecture } from "./architecture.ts";
import { FAMILY_SPECS } from "./families/index.ts";
import { ropeScalingKeys } from "./gguf-rope-scaling.ts";
import { isSentencePieceBpe, spmTokenizerKeys } from "./gguf-spm-export.ts";
import { toAdjacentPairs } from "./rope-permute.ts";
import { ropeFreqFactors, trainedPositions } from "./rope-scaling.ts";

/** llama.cpp's tensor of per-pair RoPE frequency factors (Llama 3.1's scaling). */
export const ROPE_FREQS = "rope_freqs.weight";
/** Where refute keeps the config's rope_scaling in a GGUF, to read it back exactly. */
export const ROPE_SCALING_KEY = "refute.rope_scaling";

/** llama.cpp's tokenizer.ggml.model for byte-level BPE: a tokenizer kind that GPT-2 named, not the family. */
export const GGUF_BPE_TOKENIZER = "gpt2";

// llama_ftype: what general.file_type says the bulk of the weights are.
const FILE_TYPE: Record<string, number> = { f32: 0, f16: 1, q4_0: 2, q8_0: 7, q4_k: 15, q6_k: 18, bf16: 32 };

const u32 = (value: number): GgufValue => ({ type: "u32", value });
const f32 = (value: number): GgufValue => ({ type: "f32", value });
const str = (value: string): GgufValue => ({ type: "string", value });

function architectureKeys(arch: Architecture): [string, GgufValue][] {
  const { architecture, hyperparameters } = FAMILY_SPECS[arch.family].gguf;
  // the trained context as context_length (dynamic scaling's engine context is derived from it);
  // linear and yarn scaling as llama.cpp's rope.scaling keys (llama3 is a tensor: ropeScalingOut)
  const value = (field: (typeof hyperparameters)[number]["field"]) => (field === "maxPositions" ? trainedPositions(arch.maxPositions, arch.ropeScaling) : arch[field]);
  return [...hyperparameters.map(({ key, field, type }) => [`${architecture}.${key}`, type === "u32" ? u32(value(field)) : f32(value(field))] as [string, GgufValue]), ...ropeScalingKeys(architecture, arch.ropeScaling)];
}

interface TokenizerJson {
  model: { vocab: Record<string, number>; merges: (string | [string, string])[] };
  added_tokens?: { id: number; content: string; special?: boolean }[];
}

/** The special ids llama.cpp reads: bos, eos, and an end of turn (eot) where generation also stops at another token (<|im_end|>). */
function specialIdKeys(arch: Architecture, endTokenIds: number[]): [string, GgufValue][] {
  const keys: [string, GgufValue][] = [];
  if (arch.bosTokenId !== null) keys.push(["tokenizer.ggml.bos_token_id", u32(arch.bosTokenId)]);
  const eos = arch.eosTokenId ?? endTokenIds[0] ?? null;
  if (eos !== null) keys.push(["tokenizer.ggml.eos_token_id", u32(eos)]);
  const others = endTokenIds.filter((id) => id !== eos);
  if (others.length > 1) throw new RefuteError("GGUF_EXPORT_VOCAB", `GGUF export: generation stops at ${endTokenIds.length} tokens (${endTokenIds.join(", ")}); GGUF names an eos and one eot`, { found: endTokenIds });
  if (others.length === 1) keys.push(["tokenizer.ggml.eot_token_id", u32(others[0])]);
  return keys;
}

function tokenizerKeys(arch: Architecture, tokenizerJson: unknown): [string, GgufValue][] {
  if (isSentencePieceBpe(tokenizerJson)) return spmTokenizerKeys(arch, tokenizerJson);
  const t = tokenizerJson as TokenizerJson;
  const tokens: string[] = new Array(arch.vocabSize).fill("");
  const types = new Int32Array(arch.vocabSize).fill(1); // 1 normal, 3 control, 5 unused
  const filled = new Set<number>();
  for (const [token, id] of Object.entries(t.model.vocab)) {
    if (id >= arch.vocabSize) throw new RefuteError("GGUF_EXPORT_VOCAB", `token ${JSON.stringify(token)} has id ${id} beyond the vocabulary of ${arch.vocabSize}`, { token });
    tokens[id] = token;
    filled.add(id);
  }
  for (const added of t.added_tokens ?? []) {
    tokens[added.id] = added.content;
    types[added.id] = added.special ? 3 : 4;
    filled.add(added.id);
  }
  for (let id = 0; id < arch.vocabSize; id++) {
    if (!filled.has(id)) {
      tokens[id] = `[PAD${id}]`;
      types[id] = 5;
    }
  }
  const merges = t.model.merges.map((m) => (typeof m === "string" ? m : m.join(" ")));
  const keys: [string, GgufValue][] = [
    ["tokenizer.ggml.model", str(GGUF_BPE_TOKENIZER)],
    ["tokenizer.ggml.pre", str(FAMILY_SPECS[arch.family].preTokenizer.name)],
    ["tokenizer.ggml.tokens", { type: "array", itemType: "string", value: tokens }],
    ["tokenizer.ggml.token_type", { type: "array", itemType: "i32", value: types }],
    ["tokenizer.ggml.merges", { type: "array", itemType: "string", value: merges }],
  ];
  keys.push(["tokenizer.ggml.add_bos_token", { type: "bool", value: false }]);
  return keys;
}

function ggufTensor(name: string, t: Tensor, data = t.data): GgufTensorInput {
  return { name, dims: [...t.shape].reverse(), type: quantType(t.dtype).ggmlType, data };
}

function concatRows(parts: Tensor[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.data.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p.data, at);
    at += p.data.byteLength;
  }
  return out;
}

/**
 * Llama 3.1's RoPE scaling as llama.cpp reads it, a rope_freqs.weight tensor [headDim / 2] of
 * per-pair factors it divides each frequency by (plain / scaled), and as refute reads it back:
 * the config's rope_scaling as JSON under refute.rope_scaling (llama.cpp ignores the key).
 */
function ropeScalingOut(source: ModelSource): { metadata: [string, GgufValue][]; tensors: GgufTensorInput[] } {
  const { arch } = source;
  if (!arch.ropeScaling) return { metadata: [], tensors: [] };
  const exact: [string, GgufValue][] = [[ROPE_SCALING_KEY, str(JSON.stringify(source.config.rope_scaling ?? source.config.rope_parameters))]];
  if (arch.ropeScaling.type !== "llama3") return { metadata: exact, tensors: [] };
  const factors = Float32Array.from(ropeFreqFactors(arch.headDim, arch.ropeTheta, arch.ropeScaling));
  const tensor: Tensor = { name: ROPE_FREQS, dtype: "f32", shape: [factors.length], data: new Uint8Array(factors.buffer) };
  return { metadata: exact, tensors: [ggufTensor(ROPE_FREQS, tensor)] };
}

/** The GGUF tensors of a model, in llama.cpp's layouts; hook: skipQkPermutation. */
export function ggufTensors(arch: Architecture, tensors: Map<string, Tensor>, hooks: Pick<EngineHooks, "skipQkPermutation"> = NO_HOOKS): GgufTensorInput[] {
  const { fusedQkv, adjacentPairRope } = FAMILY_SPECS[arch.family].gguf;
  const out: GgufTensorInput[] = [];
  for (const [name, t] of tensors) {
    const m = /^blk\.(\d+)\.attn_([qkv])\.(weight|bias)$/.exec(name);
    if (m && fusedQkv) {
      if (m[2] !== "q") continue; // emitted once, fused, when q is met
      const parts = ["q", "k", "v"].map((p) => tensors.get(`blk.${m[1]}.attn_${p}.${m[3]}`) as Tensor);
      if (new Set(parts.map((p) => p.dtype)).size !== 1) {
        throw new RefuteError("GGUF_EXPORT_MIXED_QKV", `layer ${m[1]}: q, k, v have different dtypes and cannot be fused`, { layer: Number(m[1]) });
      }
      const shape = m[3] === "weight" ? [parts.reduce((n, p) => n + p.shape[0], 0), t.shape[1]] : [parts.reduce((n, p) => n + p.shape[0], 0)];
      out.push(ggufTensor(`blk.${m[1]}.attn_qkv.${m[3]}`, { ...t, shape }, concatRows(parts)));
      continue;
    }
    if (m && adjacentPairRope && m[2] !== "v" && !hooks.skipQkPermutation) {
      const rows = t.shape[0];
      out.push(ggufTensor(name, t, toAdjacentPairs(t.data, rows, arch.headDim)));
      continue;
    }
    out.push(ggufTensor(name, t));
  }
  return out;
}

/** hooks: skipQkPermutation (tensors), ggufKvHeadsAsHeads (metadata). */
export function ggufFromSource(source: ModelSource, name: string, fileType: string, hooks: Pick<EngineHooks, "skipQkPermutation" | "ggufKvHeadsAsHeads"> = NO_HOOKS): GgufWriteInput {
  const { arch } = source;
  const metadata: [string, GgufValue][] = [
    ["general.architecture", str(FAMILY_SPECS[arch.family].gguf.architecture)],
    ["general.name", str(name)],
    ["general.file_type", u32(FILE_TYPE[fileType] ?? 0)],
    ["general.quantization_version", u32(2)],
    ["general.alignment", u32(32)],
    ...architectureKeys(hooks.ggufKvHeadsAsHeads ? { ...arch, kvHeads: arch.heads } : arch),
    ...tokenizerKeys(arch, source.tokenizerJson),
    ...specialIdKeys(arch, source.endTokenIds),
    ...(source.chatTemplate ? ([["tokenizer.chat_template", str(source.chatTemplate.template)]] as [string, GgufValue][]) : []),
  ];
  const rope = ropeScalingOut(source);
  return { metadata: [...metadata, ...rope.metadata], tensors: [...ggufTensors(arch, source.tensors, hooks), ...rope.tensors] };
}
