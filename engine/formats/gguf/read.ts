// GGUF (v2/v3, little-endian) reader over bytes already in memory. Generic: it knows the
// container (header, typed metadata, tensor infos, alignment, data section) and ggml's type
// sizes, nothing about models.
//
// File layout: "GGUF" | u32 version | u64 tensor_count | u64 kv_count | kv* | tensor_info* |
// padding to `general.alignment` (default 32) | data. kv = string key, u32 value type, value.
// tensor_info = string name, u32 n_dims, u64 dims[n_dims] (innermost first), u32 ggml type,
// u64 offset relative to the start of the data section.
//
// Untrusted input: every count, length and offset is checked before use; malformed input gives
// a RefuteError with a stable GGUF_* code, never a crash, a hang or an allocation sized by an
// unchecked number. Tensor data are views into the input, not copies.

import { RefuteError } from "../../../core/errors.ts";
import { GgufCursor } from "./cursor.ts";
import { ggmlTypeInfo } from "./ggml-types.ts";
import {
  GGUF_MIN_SIZE,
  GGUF_NUMERIC_ARRAYS,
  GGUF_TYPE_BY_CODE,
  isNumericItemType,
  type GgufArray,
  type GgufItemType,
  type GgufValue,
} from "./value.ts";

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_DEFAULT_ALIGNMENT = 32;
export const GGUF_MAX_DIMS = 4;
export const GGUF_MAX_NAME_BYTES = 63; // ggml's GGML_MAX_NAME (64) including the terminator
const MAX_ARRAY_NESTING = 8;
const MIN_KV_BYTES = 8 + 4 + 1;
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;

export interface GgufTensor {
  name: string;
  /** innermost first, as GGUF lists them (a row-major [out, in] weight is [in, out] here) */
  dims: number[];
  /** ggml type id */
  type: number;
  typeName: string;
  /** relative to the data section */
  offset: number;
  byteSize: number;
  /** a view into the input */
  data: Uint8Array;
}

export interface GgufFile {
  version: number;
  alignment: number;
  /** absolute offset of the data section */
  dataOffset: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensor[];
}

function itemType(c: GgufCursor, what: string): GgufItemType {
  const at = c.pos;
  const code = c.u32(what);
  const t = GGUF_TYPE_BY_CODE.get(code);
  if (t === undefined) throw new RefuteError("GGUF_BAD_VALUE_TYPE", `GGUF: ${what} at offset ${at} is ${code}, not a GGUF value type (0..12)`, { field: what, offset: at, found: code });
  return t;
}

function bool(c: GgufCursor, what: string): boolean {
  const at = c.pos;
  const b = c.u8(what);
  if (b > 1) throw new RefuteError("GGUF_BAD_VALUE", `GGUF: ${what} at offset ${at} is the byte ${b}, a bool must be 0 or 1`, { field: what, offset: at, found: b });
  return b === 1;
}

function scalar(c: GgufCursor, t: Exclude<GgufItemType, "array">, what: string): GgufValue {
  const v = c.view;
  switch (t) {
    case "u8": return { type: t, value: v.getUint8(c.take(1, what)) };
    case "i8": return { type: t, value: v.getInt8(c.take(1, what)) };
    case "u16": return { type: t, value: v.getUint16(c.take(2, what), true) };
    case "i16": return { type: t, value: v.getInt16(c.take(2, what), true) };
    case "u32": return { type: t, value: v.getUint32(c.take(4, what), true) };
    case "i32": return { type: t, value: v.getInt32(c.take(4, what), true) };
    case "f32": return { type: t, value: v.getFloat32(c.take(4, what), true) };
    case "f64": return { type: t, value: v.getFloat64(c.take(8, what), true) };
    case "u64": return { type: t, value: v.getBigUint64(c.take(8, what), true) };
    case "i64": return { type: t, value: v.getBigInt64(c.take(8, what), true) };
    case "bool": return { type: t, value: bool(c, what) };
    case "string": return { type: t, value: c.string(what) };
  }
}

function numericItems(c: GgufCursor, t: keyof typeof GGUF_NUMERIC_ARRAYS, n: number, what: string): GgufArray["value"] {
  const [size] = GGUF_NUMERIC_ARRAYS[t];
  const start = c.take(n * size, what);
  const v = c.view;
  switch (t) {
    case "u8": return c.bytes.slice(start, start + n);
    case "i8": return Int8Array.from({ length: n }, (_, i) => v.getInt8(start + i));
    case "u16": return Uint16Array.from({ length: n }, (_, i) => v.getUint16(start + 2 * i, true));
    case "i16": return Int16Array.from({ length: n }, (_, i) => v.getInt16(start + 2 * i, true));
    case "u32": return Uint32Array.from({ length: n }, (_, i) => v.getUint32(start + 4 * i, true));
    case "i32": return Int32Array.from({ length: n }, (_, i) => v.getInt32(start + 4 * i, true));
    case "f32": return Float32Array.from({ length: n }, (_, i) => v.getFloat32(start + 4 * i, true));
    case "f64": return Float64Array.from({ length: n }, (_, i) => v.getFloat64(start + 8 * i, true));
    case "u64": return BigUint64Array.from({ length: n }, (_, i) => v.getBigUint64(start + 8 * i, true));
    case "i64": return BigInt64Array.from({ length: n }, (_, i) => v.getBigInt64(start + 8 * i, true));
  }
}

function array(c: GgufCursor, what: string, depth: number): GgufArray {
  if (depth > MAX_ARRAY_NESTING) {
    throw new RefuteError("GGUF_NESTING_TOO_DEEP", `GGUF: ${what} nests arrays deeper than ${MAX_ARRAY_NESTING}`, { field: what, offset: c.pos, expected: MAX_ARRAY_NESTING });
  }
  const t = itemType(c, `${what} item type`);
  const n = c.count(`${what} item count`, GGUF_MIN_SIZE[t]);
  if (isNumericItemType(t)) return { type: "array", itemType: t, value: numericItems(c, t, n, what) } as GgufArray;
  if (t === "bool") return { type: "array", itemType: t, value: Array.from({ length: n }, () => bool(c, what)) };
  if (t === "string") return { type: "array", itemType: t, value: Array.from({ length: n }, () => c.string(`${what} item`)) };
  return { type: "array", itemType: t, value: Array.from({ length: n }, () => array(c, what, depth + 1)) };
}

function value(c: GgufCursor, what: string): GgufValue {
  const t = itemType(c, `${what} type`);
  return t === "array" ? array(c, what, 1) : scalar(c, t, what);
}

function readMetadata(c: GgufCursor, n: number): Map<string, GgufValue> {
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < n; i++) {
    const at = c.pos;
    const key = c.string(`key of metadata entry ${i}`);
    if (metadata.has(key)) throw new RefuteError("GGUF_DUPLICATE_KEY", `GGUF: metadata key "${key}" appears twice (second at offset ${at})`, { field: key, offset: at });
    metadata.set(key, value(c, `metadata "${key}"`));
  }
  return metadata;
}

function alignmentOf(metadata: Map<string, GgufValue>): number {
  const v = metadata.get("general.alignment");
  if (v === undefined) return GGUF_DEFAULT_ALIGNMENT;
  if (v.type !== "u32" || v.value === 0 || (v.value & (v.value - 1)) !== 0) {
    throw new RefuteError("GGUF_BAD_ALIGNMENT", `GGUF: general.alignment must be a u32 power of two, found ${v.type} ${String(v.value)}`, {
      field: "general.alignment",
      expected: "u32 power of two",
      found: `${v.type} ${String(v.value)}`,
    });
  }
  return v.value;
}

export interface TensorInfo {
  name: string;
  /** innermost first */
  dims: number[];
  /** ggml type id */
  type: number;
  /** relative to the data section */
  offset: bigint;
  /** where the info starts in the file */
  at: number;
}

/** What precedes a GGUF's data section: version, alignment, metadata and the tensor infos, unplaced. */
export interface GgufHeader {
  version: number;
  alignment: number;
  /** absolute offset of the data section */
  dataOffset: number;
  metadata: Map<string, GgufValue>;
  infos: TensorInfo[];
}

function readTensorInfo(c: GgufCursor, i: number): TensorInfo {
  const at = c.pos;
  const name = c.string(`name of tensor ${i}`);
  const nameBytes = c.pos - at - 8;
  if (nameBytes > GGUF_MAX_NAME_BYTES) {
    throw new RefuteError("GGUF_NAME_TOO_LONG", `GGUF: tensor name "${name.slice(0, 80)}" is ${nameBytes} bytes, at most ${GGUF_MAX_NAME_BYTES}`, { tensor: name, expected: GGUF_MAX_NAME_BYTES, found: nameBytes });
  }
  const nDims = c.u32(`n_dims of ${name}`);
  if (nDims > GGUF_MAX_DIMS) {
    throw new RefuteError("GGUF_TOO_MANY_DIMS", `GGUF: tensor ${name} has ${nDims} dims, at most ${GGUF_MAX_DIMS}`, { tensor: name, expected: GGUF_MAX_DIMS, found: nDims });
  }
  const dims: number[] = [];
  for (let d = 0; d < nDims; d++) {
    const dim = c.u64(`dim ${d} of ${name}`);
    if (dim > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RefuteError("GGUF_BAD_SHAPE", `GGUF: tensor ${name} dim ${d} is ${dim}`, { tensor: name, found: dim.toString() });
    }
    dims.push(Number(dim));
  }
  const type = c.u32(`type of ${name}`);
  const offset = c.u64(`offset of ${name}`);
  return { name, dims, type, offset, at };
}

function sizeTensor(info: TensorInfo, fileLength: number): { typeName: string; byteSize: number } {
  const t = ggmlTypeInfo(info.type);
  if (t === undefined) throw new RefuteError("GGUF_UNKNOWN_TYPE", `GGUF: tensor ${info.name} has ggml type ${info.type}, which is not a known ggml type`, { tensor: info.name, found: info.type });
  const inner = info.dims[0] ?? 1;
  if (inner % t.blockSize !== 0) {
    throw new RefuteError("GGUF_BAD_SHAPE", `GGUF: tensor ${info.name} (${t.name}) has innermost dim ${inner}, not a multiple of the block size ${t.blockSize}`, {
      tensor: info.name,
      expected: `multiple of ${t.blockSize}`,
      found: inner,
    });
  }
  const elements = info.dims.reduce((p, d) => p * BigInt(d), 1n);
  const byteSize = (elements / BigInt(t.blockSize)) * BigInt(t.typeSize);
  if (byteSize > BigInt(fileLength)) {
    throw new RefuteError("GGUF_OFFSET_OUT_OF_RANGE", `GGUF: tensor ${info.name} [${info.dims.join(", ")}] ${t.name} needs ${byteSize} bytes, the file has ${fileLength}`, {
      tensor: info.name,
      expected: byteSize.toString(),
      found: fileLength,
    });
  }
  return { typeName: t.name, byteSize: Number(byteSize) };
}

function placeTensors(infos: TensorInfo[], bytes: Uint8Array, dataOffset: number, alignment: number): GgufTensor[] {
  const tensors = infos.map((info): GgufTensor => {
    const { typeName, byteSize } = sizeTensor(info, bytes.length);
    if (info.offset % BigInt(alignment) !== 0n) {
      throw new RefuteError("GGUF_MISALIGNED", `GGUF: tensor ${info.name} at data offset ${info.offset} is not a multiple of the alignment ${alignment}`, {
        tensor: info.name,
        expected: `multiple of ${alignment}`,
        found: info.offset.toString(),
      });
    }
    const end = BigInt(dataOffset) + info.offset + BigInt(byteSize);
    if (end > BigInt(bytes.length)) {
      throw new RefuteError("GGUF_OFFSET_OUT_OF_RANGE", `GGUF: tensor ${info.name} spans data offsets ${info.offset}..${info.offset + BigInt(byteSize)}, past the end of the file (${bytes.length - dataOffset} data bytes)`, {
        tensor: info.name,
        expected: `end <= ${bytes.length}`,
        found: end.toString(),
      });
    }
    const offset = Number(info.offset);
    const start = dataOffset + offset;
    return { name: info.name, dims: info.dims, type: info.type, typeName, offset, byteSize, data: bytes.subarray(start, start + byteSize) };
  });
  const byStart = [...tensors].sort((a, b) => a.offset - b.offset || a.byteSize - b.byteSize);
  for (let i = 1; i < byStart.length; i++) {
    const prev = byStart[i - 1];
    if (byStart[i].offset < prev.offset + prev.byteSize) {
      throw new RefuteError("GGUF_TENSOR_OVERLAP", `GGUF: tensors ${prev.name} (${prev.offset}..${prev.offset + prev.byteSize}) and ${byStart[i].name} (from ${byStart[i].offset}) overlap`, {
        tensor: byStart[i].name,
        expected: `offset >= ${prev.offset + prev.byteSize}`,
        found: byStart[i].offset,
      });
    }
  }
  return tensors;
}

/**
 * The header of a GGUF whose first bytes are `bytes` (the whole file, or a prefix of it that
 * holds the header): the tensor data are neither needed nor checked.
 */
export function readGgufHeader(bytes: Uint8Array): GgufHeader {
  const c = new GgufCursor(bytes);
  const magic = c.u32("magic");
  if (magic !== GGUF_MAGIC) {
    throw new RefuteError("GGUF_BAD_MAGIC", `GGUF: magic is 0x${magic.toString(16).padStart(8, "0")}, expected "GGUF"`, { field: "magic", expected: "GGUF", found: magic });
  }
  const version = c.u32("version");
  if (version !== 2 && version !== 3) {
    const hint = version === 0x03000000 || version === 0x02000000 ? " (a big-endian GGUF; only little-endian is supported)" : "";
    throw new RefuteError("GGUF_BAD_VERSION", `GGUF: version ${version} is not supported (2 or 3)${hint}`, { field: "version", expected: [2, 3], found: version });
  }
  const tensorCount = c.count("tensor count", MIN_TENSOR_INFO_BYTES);
  const kvCount = c.count("metadata count", MIN_KV_BYTES);
  const metadata = readMetadata(c, kvCount);
  const alignment = alignmentOf(metadata);
  const infos: TensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const info = readTensorInfo(c, i);
    if (names.has(info.name)) throw new RefuteError("GGUF_DUPLICATE_TENSOR", `GGUF: tensor name "${info.name}" appears twice (second at offset ${info.at})`, { tensor: info.name, offset: info.at });
    names.add(info.name);
    infos.push(info);
  }
  return { version, alignment, dataOffset: Math.ceil(c.pos / alignment) * alignment, metadata, infos };
}

export function readGguf(bytes: Uint8Array): GgufFile {
  const { version, alignment, dataOffset, metadata, infos } = readGgufHeader(bytes);
  return { version, alignment, dataOffset, metadata, tensors: placeTensors(infos, bytes, dataOffset, alignment) };
}
