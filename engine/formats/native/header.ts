// The JSON header of an RFT (refute tensor file) and its validation. The header says what the
// model is (config.json), how to tokenize (tokenizer.json), where it came from (provenance) and
// where each tensor's bytes are (name, dtype, row-major shape, offset into the data section,
// byte length). Validation names the field that is wrong (NATIVE_BAD_HEADER) or the tensor
// (NATIVE_UNKNOWN_DTYPE, NATIVE_BAD_SHAPE, NATIVE_SIZE_MISMATCH, NATIVE_DUPLICATE_TENSOR).

import { RefuteError } from "../../../core/errors.ts";
import { isQuantName, QUANT_TYPES, type QuantName } from "../../quant/types.ts";

export type NativeDType = QuantName;

export interface SourceFile {
  path: string;
  /** lowercase hex */
  sha256: string;
}

export interface Provenance {
  /** e.g. "safetensors" or "gguf" */
  source_format: string;
  source_files: SourceFile[];
  /** e.g. "f32", "q8_0", "q4_k" or a description of a mix */
  quantization: string;
  tool: "refute";
  tool_version: string;
  /** ISO 8601 time */
  created_at: string;
  /** further facts a producer records (kept as they are) */
  [extra: string]: unknown;
}

export interface TensorEntry {
  name: string;
  dtype: NativeDType;
  /** row-major, outermost first: a weight is [out, in] */
  shape: number[];
  /** relative to the data section, a multiple of 64 */
  offset: number;
  byte_length: number;
  /** CRC-32 (zlib's) of the tensor's bytes, as an unsigned integer: a bit flipped on disk is caught on load */
  crc32: number;
}

/** The model's chat template, where it has one (tokenizer_config.json's chat_template and bos/eos token text). */
export interface NativeChatTemplate {
  template: string;
  bos_token: string;
  eos_token: string;
}

export interface NativeHeader {
  config: Record<string, unknown>;
  tokenizer: Record<string, unknown>;
  chat_template?: NativeChatTemplate;
  /** where generation stops (generation_config.json's eos_token_id, else config.json's); absent in files older than it: config.json's */
  end_token_ids?: number[];
  provenance: Provenance;
  tensors: TensorEntry[];
}

export const NATIVE_ALIGNMENT = 64;

function bad(field: string, message: string, found?: unknown): RefuteError {
  return new RefuteError("NATIVE_BAD_HEADER", `RFT header: ${field} ${message}`, { field, found });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (!isObject(v)) throw bad(field, "must be a JSON object", v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  return v;
}

function string(v: unknown, field: string): string {
  if (typeof v !== "string") throw bad(field, "must be a string", typeof v);
  return v;
}

function count(v: unknown, field: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw bad(field, "must be a non-negative integer", v);
  return v as number;
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], field: string): void {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw bad(field, `has unknown keys ${extra.join(", ")} (allowed: ${allowed.join(", ")})`, extra);
}

function provenance(v: unknown): Provenance {
  const p = object(v, "provenance");
  string(p.source_format, "provenance.source_format");
  if (!Array.isArray(p.source_files)) throw bad("provenance.source_files", "must be an array", typeof p.source_files);
  p.source_files.forEach((f, i) => {
    const file = object(f, `provenance.source_files[${i}]`);
    onlyKeys(file, ["path", "sha256"], `provenance.source_files[${i}]`);
    string(file.path, `provenance.source_files[${i}].path`);
    if (!/^[0-9a-f]{64}$/.test(string(file.sha256, `provenance.source_files[${i}].sha256`))) {
      throw bad(`provenance.source_files[${i}].sha256`, "must be 64 lowercase hex digits", file.sha256);
    }
  });
  string(p.quantization, "provenance.quantization");
  if (p.tool !== "refute") throw bad("provenance.tool", 'must be "refute"', p.tool);
  string(p.tool_version, "provenance.tool_version");
  if (Number.isNaN(Date.parse(string(p.created_at, "provenance.created_at")))) throw bad("provenance.created_at", "must be an ISO 8601 time", p.created_at);
  return p as Provenance;
}

/** Bytes a tensor of this dtype and row-major shape occupies; the innermost dim must fill blocks. */
export function tensorByteLength(name: string, dtype: NativeDType, shape: readonly number[]): number {
  const t = QUANT_TYPES[dtype];
  const inner = shape[shape.length - 1];
  if (inner % t.blockSize !== 0) {
    throw new RefuteError("NATIVE_BAD_SHAPE", `RFT: tensor ${name} ${dtype} [${shape.join(", ")}]: innermost dim ${inner} is not a multiple of the block size ${t.blockSize}`, {
      tensor: name,
      expected: `innermost dim a multiple of ${t.blockSize}`,
      found: [...shape],
    });
  }
  const bytes = (shape.reduce((p, d) => p * BigInt(d), 1n) / BigInt(t.blockSize)) * BigInt(t.bytesPerBlock);
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RefuteError("NATIVE_BAD_SHAPE", `RFT: tensor ${name} [${shape.join(", ")}] is too large`, { tensor: name, found: [...shape] });
  }
  return Number(bytes);
}

function tensorEntry(v: unknown, i: number, seen: Set<string>): TensorEntry {
  const field = `tensors[${i}]`;
  const t = object(v, field);
  onlyKeys(t, ["name", "dtype", "shape", "offset", "byte_length", "crc32"], field);
  const name = string(t.name, `${field}.name`);
  if (name.length === 0) throw bad(`${field}.name`, "must not be empty", name);
  if (seen.has(name)) throw new RefuteError("NATIVE_DUPLICATE_TENSOR", `RFT: tensor ${name} is listed twice`, { tensor: name });
  seen.add(name);
  const dtype = string(t.dtype, `${field}.dtype`);
  if (!isQuantName(dtype)) {
    throw new RefuteError("NATIVE_UNKNOWN_DTYPE", `RFT: tensor ${name} has dtype "${dtype}"`, { tensor: name, expected: Object.keys(QUANT_TYPES), found: dtype });
  }
  if (!Array.isArray(t.shape) || t.shape.length === 0 || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new RefuteError("NATIVE_BAD_SHAPE", `RFT: tensor ${name} shape must be a non-empty array of non-negative integers`, { tensor: name, found: t.shape });
  }
  const shape = t.shape as number[];
  const offset = count(t.offset, `${field}.offset`);
  const byteLength = count(t.byte_length, `${field}.byte_length`);
  const expected = tensorByteLength(name, dtype, shape);
  if (byteLength !== expected) {
    throw new RefuteError("NATIVE_SIZE_MISMATCH", `RFT: tensor ${name} ${dtype} [${shape.join(", ")}] takes ${expected} bytes, found ${byteLength}`, {
      tensor: name,
      expected,
      found: byteLength,
    });
  }
  const crc32 = t.crc32;
  if (typeof crc32 !== "number" || !Number.isInteger(crc32) || crc32 < 0 || crc32 > 0xffffffff) throw bad(`${field}.crc32`, "must be the CRC-32 of the tensor's bytes, an integer in [0, 2^32)", crc32);
  return { name, dtype, shape, offset, byte_length: byteLength, crc32 };
}

function chatTemplate(v: unknown): NativeChatTemplate {
  const c = object(v, "chat_template");
  onlyKeys(c, ["template", "bos_token", "eos_token"], "chat_template");
  return { template: string(c.template, "chat_template.template"), bos_token: string(c.bos_token, "chat_template.bos_token"), eos_token: string(c.eos_token, "chat_template.eos_token") };
}

function endTokens(v: unknown): number[] {
  if (!Array.isArray(v) || v.length > 16 || !v.every((id) => typeof id === "number" && Number.isSafeInteger(id) && id >= 0)) throw bad("end_token_ids", "must be a list of at most 16 token ids", v);
  return v as number[];
}

/** Checks a parsed header; returns it typed. Offsets are checked against the file by the reader. */
export function validateHeader(v: unknown): NativeHeader {
  const h = object(v, "header");
  onlyKeys(h, ["config", "tokenizer", "chat_template", "end_token_ids", "provenance", "tensors"], "header");
  const config = object(h.config, "config");
  const tokenizer = object(h.tokenizer, "tokenizer");
  const chat = h.chat_template === undefined ? undefined : chatTemplate(h.chat_template);
  const ends = h.end_token_ids === undefined ? undefined : endTokens(h.end_token_ids);
  const prov = provenance(h.provenance);
  if (!Array.isArray(h.tensors)) throw bad("tensors", "must be an array", typeof h.tensors);
  const seen = new Set<string>();
  const tensors = h.tensors.map((t, i) => tensorEntry(t, i, seen));
  return { config, tokenizer, ...(chat ? { chat_template: chat } : {}), ...(ends ? { end_token_ids: ends } : {}), provenance: prov, tensors };
}
