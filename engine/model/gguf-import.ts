// GGUF (as llama.cpp writes it, or refute's own export) back to a model source: an HF-style
// config.json and tokenizer.json rebuilt from the metadata by the family's specification
// (families/), canonical tensors in the engine's [out, in] layout (dims reversed), q/k rows
// returned to split halves where llama.cpp rotates adjacent pairs, and a fused attn_qkv
// split into q, k, v.

import { ROPE_FREQS, ROPE_SCALING_KEY } from "./gguf-export.ts";
import { ropeFreqFactors } from "./rope-scaling.ts";
import { RefuteError } from "../../core/errors.ts";
import { metadataNumber, metadataString, metadataStrings } from "../formats/gguf/metadata.ts";
import type { GgufFile } from "../formats/gguf/read.ts";
import { NO_HOOKS, type EngineHooks } from "../hooks.ts";
import type { ModelSource, SourceFile } from "../load.ts";
import { quantTypeByGgmlType } from "../quant/types.ts";
import type { Tensor } from "../tensor.ts";
import type { Architecture } from "./architecture.ts";
import { architectureFromHfConfig } from "./config.ts";
import { checkRopeKeys, ropeScalingFromKeys } from "./gguf-rope-scaling.ts";
import type { FamilySpec, ShapeField } from "./families/family.ts";
import { FAMILY_SPECS, familyForGgufArchitecture } from "./families/index.ts";
import { chatTemplateOfGguf, tokenizerJsonFromGguf } from "./gguf-vocab.ts";
import { OUTPUT } from "./names.ts";
import { toSplitHalves, toSplitHalvesInPlace } from "./rope-permute.ts";

function optionalNumber(file: GgufFile, key: string): number | null {
  return file.metadata.has(key) ? metadataNumber(file.metadata, key) : null;
}

/** The value of each shape field the file stores (an optional key it lacks: none); vocabSize from the token list. */
function ggufShape(file: GgufFile, spec: FamilySpec, vocabSize: number): Partial<Record<ShapeField, number>> {
  const shape: Partial<Record<ShapeField, number>> = {};
  for (const { key, field, optional } of spec.gguf.hyperparameters) {
    const name = `${spec.gguf.architecture}.${key}`;
    const value = optional ? optionalNumber(file, name) : metadataNumber(file.metadata, name);
    if (value !== null) shape[field] = value;
  }
  return { ...shape, vocabSize };
}

/** The config.json the family would have: its keys in the specification's order, then activation, head tying, q/k/v bias and token ids. */
function hfConfig(file: GgufFile, spec: FamilySpec): Record<string, unknown> {
  const shape = ggufShape(file, spec, metadataStrings(file.metadata, "tokenizer.ggml.tokens").length);
  const config: Record<string, unknown> = { architectures: [spec.hf.architectures[0]], model_type: spec.hf.modelType };
  for (const [field, entry] of Object.entries(spec.config) as [ShapeField, { key: string }][]) {
    if (shape[field] !== undefined) config[entry.key] = shape[field];
  }
  if (spec.activationKey !== null) config[spec.activationKey] = spec.traits.activation;
  config.tie_word_embeddings = !file.tensors.some((t) => t.name === OUTPUT);
  if (spec.qkvBiasKey !== null) config[spec.qkvBiasKey] = file.tensors.some((t) => t.name.endsWith("attn_q.bias"));
  config.bos_token_id = optionalNumber(file, "tokenizer.ggml.bos_token_id");
  config.eos_token_id = optionalNumber(file, "tokenizer.ggml.eos_token_id");
  const rope = ropeScalingIn(file) ?? ropeScalingFromKeys(file, spec.gguf.architecture);
  if (rope) config.rope_scaling = rope;
  return config;
}

/** The longest refute.rope_scaling read (a few fields of JSON). */
const MAX_ROPE_SCALING_CHARS = 4096;

/** The config's rope_scaling refute wrote (refute.rope_scaling); a rope_freqs tensor without it is refused: its factors alone are not read. */
function ropeScalingIn(file: GgufFile): Record<string, unknown> | null {
  const hasFactors = file.tensors.some((t) => t.name === ROPE_FREQS);
  if (!file.metadata.has(ROPE_SCALING_KEY)) {
    if (hasFactors) throw new RefuteError("GGUF_UNSUPPORTED_ROPE", `GGUF: a ${ROPE_FREQS} tensor (per-pair RoPE factors, Llama 3.1's scaling) without the rope_scaling it came from (${ROPE_SCALING_KEY}); refute does not run the factors alone`, { tensor: ROPE_FREQS });
    return null;
  }
  const text = metadataString(file.metadata, ROPE_SCALING_KEY);
  let parsed: unknown = null;
  try {
    parsed = text.length <= MAX_ROPE_SCALING_CHARS ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new RefuteError("GGUF_METADATA_TYPE", `GGUF: ${ROPE_SCALING_KEY} must be a JSON object of at most ${MAX_ROPE_SCALING_CHARS} characters`, { field: ROPE_SCALING_KEY });
  return parsed as Record<string, unknown>;
}

/** A rope_freqs tensor must hold the factors the rope_scaling implies (llama.cpp runs the tensor, refute the config). */
function checkRopeFactors(file: GgufFile, arch: Architecture): void {
  const t = file.tensors.find((x) => x.name === ROPE_FREQS);
  if (!t) return;
  const expected = ropeFreqFactors(arch.headDim, arch.ropeTheta, arch.ropeScaling);
  const data = t.type === 0 && t.data.byteLength === 4 * expected.length ? new Float32Array(t.data.slice().buffer) : null;
  const wrong = data ? [...data].findIndex((f, i) => Math.abs(f - expected[i]) > 1e-5 * expected[i]) : 0;
  if (wrong >= 0) throw new RefuteError("GGUF_UNSUPPORTED_ROPE", `GGUF: ${ROPE_FREQS} ${data ? `factor ${wrong} is ${data[wrong]}, where ${ROPE_SCALING_KEY} implies ${expected[wrong]}` : `is not ${expected.length} f32 values`}: llama.cpp and refute would run different models`, { tensor: ROPE_FREQS });
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

function tensorBytes(data: Uint8Array, misalignBy: number): Uint8Array {
  return misalignBy ? new Uint8Array(data.buffer, data.byteOffset - misalignBy, data.byteLength) : data;
}

function canonicalTensors(file: GgufFile, arch: Architecture, hooks: Pick<EngineHooks, "ggufMisalignBy">, ownsBytes: boolean): Map<string, Tensor> {
  const inPlace = ownsBytes && !hooks.ggufMisalignBy; // misaligned views overlap their neighbours
  const { adjacentPairRope } = FAMILY_SPECS[arch.family].gguf;
  const out = new Map<string, Tensor>();
  for (const g of file.tensors) {
    if (g.name === ROPE_FREQS) continue; // checked against the config's rope_scaling (checkRopeFactors)
    const t: Tensor = { name: g.name, dtype: dtypeOf(g.type, g.name), shape: [...g.dims].reverse(), data: tensorBytes(g.data, hooks.ggufMisalignBy ?? 0) };
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
    const halves = inPlace ? toSplitHalvesInPlace : toSplitHalves;
    out.set(g.name, qk && adjacentPairRope ? { ...t, data: halves(t.data, t.shape[0], arch.headDim) } : t);
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

/**
 * hook: ggufMisalignBy. ownsBytes: the file's bytes are this source's alone (a file just read),
 * so llama's q and k rows are re-ordered in them instead of into copies; the GgufFile then no
 * longer holds the file's layout.
 */
export function sourceFromGguf(file: GgufFile, files: SourceFile[], hooks: Pick<EngineHooks, "ggufMisalignBy"> = NO_HOOKS, ownsBytes = false): ModelSource {
  const spec = familyForGgufArchitecture(metadataString(file.metadata, "general.architecture"));
  const config = hfConfig(file, spec);
  const arch = architectureFromHfConfig(config, "GGUF metadata");
  checkRopeFactors(file, arch);
  checkRopeKeys(file, spec.gguf.architecture, arch.ropeScaling, arch.maxPositions);
  const ends = [config.eos_token_id, optionalNumber(file, "tokenizer.ggml.eot_token_id")].filter((id): id is number => typeof id === "number");
  return { format: "gguf", arch, config, tensors: canonicalTensors(file, arch, hooks, ownsBytes), tokenizerJson: tokenizerJsonFromGguf(file), chatTemplate: chatTemplateOfGguf(file), endTokenIds: [...new Set(ends)], files, details: ggufDetails(file) };
}
