// RFT writer (layout in read.ts). Deterministic: the same input gives the same bytes, because
// the header is JSON.stringify of objects built in a fixed key order (config and tokenizer keep
// the caller's order), tensors are laid out in the order given, and padding is zeros. Pass
// provenance.created_at to make the time part of the input too.

import type { ChatTemplate } from "../../tokenizer/chat-template.ts";
import { crc32 } from "node:zlib";
import { RefuteError } from "../../../core/errors.ts";
import { NATIVE_ALIGNMENT, validateHeader, type NativeDType, type NativeHeader, type Provenance, type SourceFile } from "./header.ts";
import { NATIVE_MAGIC, NATIVE_PREFIX_BYTES, NATIVE_VERSION } from "./read.ts";

export interface NativeTensorInput {
  name: string;
  dtype: NativeDType;
  /** row-major, outermost first */
  shape: readonly number[];
  data: Uint8Array;
}

export interface ProvenanceInput {
  source_format: string;
  source_files: SourceFile[];
  quantization: string;
  tool_version: string;
  /** ISO 8601; now when omitted */
  created_at?: string;
  [extra: string]: unknown;
}

export interface NativeWriteInput {
  config: Record<string, unknown>;
  tokenizer: Record<string, unknown>;
  /** written where present and not null */
  chatTemplate?: ChatTemplate | null;
  endTokenIds?: number[];
  provenance: ProvenanceInput;
  tensors: readonly NativeTensorInput[];
}

function alignUp(n: number): number {
  return Math.ceil(n / NATIVE_ALIGNMENT) * NATIVE_ALIGNMENT;
}

function provenanceOf(p: ProvenanceInput): Provenance {
  const { source_format, source_files, quantization, tool_version, created_at, ...extra } = p;
  return { source_format, source_files, quantization, tool: "refute", tool_version, created_at: created_at ?? new Date().toISOString(), ...extra };
}

function headerJson(header: NativeHeader): Uint8Array {
  let text: string;
  try {
    text = JSON.stringify(header);
  } catch (e) {
    throw new RefuteError("NATIVE_BAD_HEADER", `RFT write: header is not JSON-serializable: ${(e as Error).message}`, { field: "header" });
  }
  return new TextEncoder().encode(text);
}

export function writeNative(input: NativeWriteInput): Uint8Array {
  // offsets in the given order, each 64-aligned; validateHeader then checks names, dtypes,
  // shapes and that each data length is what the dtype and shape require
  let offset = 0;
  const entries = input.tensors.map((t) => {
    const entry = { name: t.name, dtype: t.dtype, shape: Array.isArray(t.shape) ? [...t.shape] : t.shape, offset, byte_length: t.data.length, crc32: crc32(t.data) };
    offset = alignUp(offset + t.data.length);
    return entry;
  });
  const chat = input.chatTemplate ? { chat_template: { template: input.chatTemplate.template, bos_token: input.chatTemplate.bosToken, eos_token: input.chatTemplate.eosToken } } : {};
  const ends = input.endTokenIds ? { end_token_ids: input.endTokenIds } : {};
  const header = validateHeader({ config: input.config, tokenizer: input.tokenizer, ...chat, ...ends, provenance: provenanceOf(input.provenance), tensors: entries });
  const json = headerJson(header);
  const dataOffset = alignUp(NATIVE_PREFIX_BYTES + json.length);
  const out = new Uint8Array(dataOffset + offset);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(NATIVE_MAGIC), 0);
  view.setUint32(4, NATIVE_VERSION, true);
  view.setBigUint64(8, BigInt(json.length), true);
  out.set(json, NATIVE_PREFIX_BYTES);
  input.tensors.forEach((t, i) => out.set(t.data, dataOffset + entries[i].offset));
  return out;
}
