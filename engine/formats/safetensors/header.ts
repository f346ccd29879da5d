// SafeTensors: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
// ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}), then the data
// section. Every fact read from the header is checked against the file before use.

import type { ErrorCode } from "../../../core/error-codes.ts";
import { RefuteError } from "../../../core/errors.ts";

export type SafeTensorsDType = "F32" | "F16" | "BF16";

export const BYTES_PER_ELEMENT: Record<SafeTensorsDType, number> = { F32: 4, F16: 2, BF16: 2 };

export interface SafeTensorsEntry {
  name: string;
  dtype: SafeTensorsDType;
  shape: number[];
  begin: number; // byte offset inside the data section
  end: number;
}

export interface SafeTensorsHeader {
  dataStart: number; // byte offset of the data section inside the file
  entries: SafeTensorsEntry[];
  metadata: Record<string, string>;
}

// Real headers are a few hundred KiB at most; 100 MiB bounds a hostile length field.
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

function fail(code: ErrorCode, message: string, facts: Record<string, unknown>): never {
  throw new RefuteError(code, message, facts);
}

/** `dtypeSizes`: the dtypes accepted and their bytes per element (integer.ts adds U8 and I8). */
export function parseSafeTensorsHeader(bytes: Uint8Array, file: string, dtypeSizes: Readonly<Record<string, number>> = BYTES_PER_ELEMENT): SafeTensorsHeader {
  if (bytes.byteLength < 8) {
    fail("SAFETENSORS_TRUNCATED", `${file}: ${bytes.byteLength} bytes, too short for the 8-byte header length`, { file });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.byteLength - 8) || headerLength > BigInt(MAX_HEADER_BYTES)) {
    fail("SAFETENSORS_HEADER_TOO_LARGE", `${file}: header length ${headerLength} exceeds the ${bytes.byteLength - 8} bytes after it`, {
      file,
      headerLength: headerLength.toString(),
      fileSize: bytes.byteLength,
    });
  }
  const dataStart = 8 + Number(headerLength);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (e) {
    fail("SAFETENSORS_BAD_HEADER", `${file}: header is not valid UTF-8 JSON (${(e as Error).message})`, { file });
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    fail("SAFETENSORS_BAD_HEADER", `${file}: header must be a JSON object`, { file });
  }
  const dataSize = bytes.byteLength - dataStart;
  const entries: SafeTensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = parseMetadata(value, file);
      continue;
    }
    entries.push(parseEntry(name, value, file, dataSize, dtypeSizes));
  }
  checkNoOverlap(entries, file);
  return { dataStart, entries, metadata };
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail("SAFETENSORS_BAD_HEADER", `${file}: __metadata__ must be an object of strings`, { file });
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "string") fail("SAFETENSORS_BAD_HEADER", `${file}: __metadata__.${k} must be a string`, { file, field: k });
  }
  return value as Record<string, string>;
}

function parseEntry(name: string, value: unknown, file: string, dataSize: number, dtypeSizes: Readonly<Record<string, number>>): SafeTensorsEntry {
  const facts = { file, tensor: name };
  if (value === null || typeof value !== "object") fail("SAFETENSORS_BAD_ENTRY", `${file}: tensor ${name}: entry must be an object`, facts);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== "string" || !Object.hasOwn(dtypeSizes, dtype)) {
    fail("SAFETENSORS_UNSUPPORTED_DTYPE", `${file}: tensor ${name}: dtype ${JSON.stringify(dtype)} is not one of ${Object.keys(dtypeSizes).join(", ")}`, { ...facts, dtype });
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail("SAFETENSORS_BAD_ENTRY", `${file}: tensor ${name}: shape must be a list of non-negative integers`, { ...facts, shape });
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail("SAFETENSORS_BAD_ENTRY", `${file}: tensor ${name}: data_offsets must be [begin, end]`, { ...facts, offsets });
  }
  const [begin, end] = offsets as number[];
  if (begin > end || end > dataSize) {
    fail("SAFETENSORS_OFFSET_OUT_OF_RANGE", `${file}: tensor ${name}: data_offsets [${begin}, ${end}] outside the ${dataSize}-byte data section`, {
      ...facts,
      begin,
      end,
      dataSize,
    });
  }
  const elements = (shape as number[]).reduce((a, b) => a * b, 1);
  const expected = elements * dtypeSizes[dtype];
  if (expected !== end - begin) {
    fail("SAFETENSORS_SIZE_MISMATCH", `${file}: tensor ${name}: ${dtype} x [${shape}] needs ${expected} bytes, data_offsets span ${end - begin}`, {
      ...facts,
      expected,
      found: end - begin,
    });
  }
  return { name, dtype: dtype as SafeTensorsDType, shape: shape as number[], begin, end };
}

function checkNoOverlap(entries: SafeTensorsEntry[], file: string): void {
  const sorted = [...entries].filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin < sorted[i - 1].end) {
      fail("SAFETENSORS_OVERLAP", `${file}: tensors ${sorted[i - 1].name} and ${sorted[i].name} overlap`, {
        file,
        tensor: sorted[i].name,
        other: sorted[i - 1].name,
      });
    }
  }
}
