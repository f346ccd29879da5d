// RFT (refute tensor file, .rft) reader: the engine's own container.
//
// Layout: "RFT1" | u32 version (2) | u64 header byte length H | H bytes of UTF-8 JSON
// (header.ts) | zero padding to a multiple of 64 = the data section | tensor bytes, each at a
// 64-aligned offset relative to the data section, not overlapping. All integers little-endian.
// Version 2 records each tensor's CRC-32; version 1 (no checksums) is refused: re-import.
//
// Untrusted input: the header length is checked against the file before it is decoded, every
// tensor's offset and length against the data section, every tensor's bytes against its CRC-32
// (zlib's, about 1 GB/s: a bit flipped on disk is NATIVE_CHECKSUM_MISMATCH, not garbage
// generated); errors are RefuteError NATIVE_*. Tensor data are views into the input.

import type { ChatTemplate } from "../../tokenizer/chat-template.ts";
import { crc32 } from "node:zlib";
import { RefuteError } from "../../../core/errors.ts";
import { NATIVE_ALIGNMENT, validateHeader, type NativeDType, type NativeHeader, type Provenance } from "./header.ts";

export const NATIVE_MAGIC = "RFT1";
export const NATIVE_VERSION = 2;
export const NATIVE_PREFIX_BYTES = 16;

export interface NativeTensor {
  name: string;
  dtype: NativeDType;
  /** row-major, outermost first */
  shape: number[];
  /** relative to the data section */
  offset: number;
  byteLength: number;
  /** a view into the input */
  data: Uint8Array;
}

export interface NativeFile {
  version: number;
  config: Record<string, unknown>;
  tokenizer: Record<string, unknown>;
  /** null: the file carries no chat template */
  chatTemplate: ChatTemplate | null;
  /** null: the header lists none (a file older than the field) */
  endTokenIds: number[] | null;
  provenance: Provenance;
  tensors: NativeTensor[];
  /** absolute offset of the data section */
  dataOffset: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function parseHeader(bytes: Uint8Array): NativeHeader {
  let text: string;
  let json: unknown;
  try {
    text = utf8.decode(bytes);
    json = JSON.parse(text);
  } catch (e) {
    throw new RefuteError("NATIVE_BAD_JSON", `RFT: header is not valid UTF-8 JSON: ${(e as Error).message}`, { field: "header" });
  }
  return validateHeader(json);
}

function placeTensors(header: NativeHeader, bytes: Uint8Array, dataOffset: number): NativeTensor[] {
  const dataBytes = bytes.length - dataOffset;
  const tensors = header.tensors.map((t): NativeTensor => {
    if (t.offset % NATIVE_ALIGNMENT !== 0) {
      throw new RefuteError("NATIVE_MISALIGNED", `RFT: tensor ${t.name} at data offset ${t.offset} is not ${NATIVE_ALIGNMENT}-byte aligned`, {
        tensor: t.name,
        expected: `multiple of ${NATIVE_ALIGNMENT}`,
        found: t.offset,
      });
    }
    if (t.offset + t.byte_length > dataBytes) {
      throw new RefuteError("NATIVE_OFFSET_OUT_OF_RANGE", `RFT: tensor ${t.name} spans data bytes ${t.offset}..${t.offset + t.byte_length}, the data section has ${dataBytes}`, {
        tensor: t.name,
        expected: `end <= ${dataBytes}`,
        found: t.offset + t.byte_length,
      });
    }
    const start = dataOffset + t.offset;
    const data = bytes.subarray(start, start + t.byte_length);
    return { name: t.name, dtype: t.dtype, shape: t.shape, offset: t.offset, byteLength: t.byte_length, data };
  });
  const byStart = [...tensors].sort((a, b) => a.offset - b.offset || a.byteLength - b.byteLength);
  for (let i = 1; i < byStart.length; i++) {
    const prev = byStart[i - 1];
    if (byStart[i].offset < prev.offset + prev.byteLength) {
      throw new RefuteError("NATIVE_TENSOR_OVERLAP", `RFT: tensors ${prev.name} (${prev.offset}..${prev.offset + prev.byteLength}) and ${byStart[i].name} (from ${byStart[i].offset}) overlap`, {
        tensor: byStart[i].name,
        expected: `offset >= ${prev.offset + prev.byteLength}`,
        found: byStart[i].offset,
      });
    }
  }
  header.tensors.forEach((t, i) => checkCrc(t.name, tensors[i].data, t.crc32));
  return tensors;
}

/** The structure is sound (every range inside the file, none overlapping); now the bytes themselves. */
function checkCrc(name: string, data: Uint8Array, recorded: number): void {
  const sum = crc32(data);
  if (sum === recorded) return;
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  throw new RefuteError("NATIVE_CHECKSUM_MISMATCH", `RFT: tensor ${name}'s bytes have CRC-32 ${hex(sum)}, its header records ${hex(recorded)}: the file was altered or damaged`, {
    tensor: name,
    expected: recorded,
    found: sum,
  });
}

export function readNative(bytes: Uint8Array): NativeFile {
  if (bytes.length < NATIVE_PREFIX_BYTES) {
    throw new RefuteError("NATIVE_TRUNCATED", `RFT: ${bytes.length} bytes is shorter than the ${NATIVE_PREFIX_BYTES}-byte prefix`, { expected: NATIVE_PREFIX_BYTES, found: bytes.length });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== NATIVE_MAGIC) {
    throw new RefuteError("NATIVE_BAD_MAGIC", `RFT: magic is ${JSON.stringify(magic)}, expected "${NATIVE_MAGIC}"`, { field: "magic", expected: NATIVE_MAGIC, found: magic });
  }
  const version = view.getUint32(4, true);
  if (version !== NATIVE_VERSION) {
    const hint = version === 1 ? ": version 1 files carry no checksums; import the model again" : "";
    throw new RefuteError("NATIVE_BAD_VERSION", `RFT: version ${version} is not supported (${NATIVE_VERSION})${hint}`, { field: "version", expected: NATIVE_VERSION, found: version });
  }
  const headerLength = view.getBigUint64(8, true);
  if (headerLength > BigInt(bytes.length - NATIVE_PREFIX_BYTES)) {
    throw new RefuteError("NATIVE_HEADER_TOO_LARGE", `RFT: header claims ${headerLength} bytes, only ${bytes.length - NATIVE_PREFIX_BYTES} follow the prefix`, {
      field: "header length",
      expected: `at most ${bytes.length - NATIVE_PREFIX_BYTES}`,
      found: headerLength.toString(),
    });
  }
  const headerEnd = NATIVE_PREFIX_BYTES + Number(headerLength);
  const header = parseHeader(bytes.subarray(NATIVE_PREFIX_BYTES, headerEnd));
  const dataOffset = Math.ceil(headerEnd / NATIVE_ALIGNMENT) * NATIVE_ALIGNMENT;
  if (dataOffset > bytes.length) {
    throw new RefuteError("NATIVE_TRUNCATED", `RFT: file ends at ${bytes.length}, inside the header padding (data section at ${dataOffset})`, { expected: dataOffset, found: bytes.length });
  }
  const chat = header.chat_template;
  const chatTemplate = chat ? { template: chat.template, bosToken: chat.bos_token, eosToken: chat.eos_token } : null;
  return { version, config: header.config, tokenizer: header.tokenizer, chatTemplate, endTokenIds: header.end_token_ids ?? null, provenance: header.provenance, tensors: placeTensors(header, bytes, dataOffset), dataOffset };
}
