// GGUF v3 writer: typed metadata and tensors in, file bytes out, laid out as llama.cpp's
// gguf_write does: header, metadata, tensor infos, zero padding to the alignment, then each
// tensor's data padded to the alignment, in the order given (so every offset is aligned and the
// offsets increase). The alignment is `general.alignment` when the metadata sets it (a u32 power
// of two), else 32. Everything is validated before a byte is written.

import { RefuteError } from "../../../core/errors.ts";
import { ggmlTypeInfo, tensorBytes } from "./ggml-types.ts";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_MAX_DIMS, GGUF_MAX_NAME_BYTES } from "./read.ts";
import { GGUF_NUMERIC_ARRAYS, GGUF_TYPE_CODE, isNumericItemType, type GgufArray, type GgufValue } from "./value.ts";

export interface GgufTensorInput {
  name: string;
  /** innermost first, as GGUF lists them */
  dims: readonly number[];
  /** ggml type id */
  type: number;
  data: Uint8Array;
}

export interface GgufWriteInput {
  metadata: Iterable<readonly [string, GgufValue]>;
  tensors: readonly GgufTensorInput[];
}

const utf8 = new TextEncoder();

const INT_RANGES: Record<string, [number, number]> = {
  u8: [0, 0xff],
  i8: [-0x80, 0x7f],
  u16: [0, 0xffff],
  i16: [-0x8000, 0x7fff],
  u32: [0, 0xffffffff],
  i32: [-0x80000000, 0x7fffffff],
};

function badValue(what: string, message: string): RefuteError {
  return new RefuteError("GGUF_BAD_VALUE", `GGUF write: ${what}: ${message}`, { field: what });
}

/** Growable little-endian byte sink. */
class Sink {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      bigger.set(this.buf.subarray(0, this.length));
      this.buf = bigger;
      this.view = new DataView(bigger.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  // room() may replace the buffer, so it runs before this.view / this.buf are read
  u8(v: number): void { const at = this.room(1); this.view.setUint8(at, v); }
  i8(v: number): void { const at = this.room(1); this.view.setInt8(at, v); }
  u16(v: number): void { const at = this.room(2); this.view.setUint16(at, v, true); }
  i16(v: number): void { const at = this.room(2); this.view.setInt16(at, v, true); }
  u32(v: number): void { const at = this.room(4); this.view.setUint32(at, v, true); }
  i32(v: number): void { const at = this.room(4); this.view.setInt32(at, v, true); }
  f32(v: number): void { const at = this.room(4); this.view.setFloat32(at, v, true); }
  f64(v: number): void { const at = this.room(8); this.view.setFloat64(at, v, true); }
  u64(v: bigint): void { const at = this.room(8); this.view.setBigUint64(at, v, true); }
  i64(v: bigint): void { const at = this.room(8); this.view.setBigInt64(at, v, true); }
  raw(b: Uint8Array): void { const at = this.room(b.length); this.buf.set(b, at); }
  pad(alignment: number): void { this.room((alignment - (this.length % alignment)) % alignment); }
  string(s: string): void {
    const b = utf8.encode(s);
    this.u64(BigInt(b.length));
    this.raw(b);
  }
  bytes(): Uint8Array { return this.buf.slice(0, this.length); }
}

function writeNumber(out: Sink, type: string, v: number, what: string): void {
  if (type === "f32") return out.f32(v);
  if (type === "f64") return out.f64(v);
  const range = Object.hasOwn(INT_RANGES, type) ? INT_RANGES[type] : undefined;
  if (range === undefined) throw badValue(what, `unknown value type ${type}`);
  if (!Number.isInteger(v) || v < range[0] || v > range[1]) throw badValue(what, `${v} is not a ${type}`);
  (out[type as "u8"] as (x: number) => void).call(out, v);
}

function writeBigInt(out: Sink, type: "u64" | "i64", v: bigint, what: string): void {
  if (typeof v !== "bigint" || v !== (type === "u64" ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v))) throw badValue(what, `${String(v)} is not a ${type}`);
  if (type === "u64") out.u64(v);
  else out.i64(v);
}

function typeCode(v: { type: string }, what: string): number {
  if (!Object.hasOwn(GGUF_TYPE_CODE, v.type)) throw badValue(what, `unknown value type ${String(v.type)}`);
  return GGUF_TYPE_CODE[v.type as keyof typeof GGUF_TYPE_CODE];
}

function writeArray(out: Sink, a: GgufArray, what: string): void {
  out.u32(typeCode({ type: a.itemType }, what));
  if (isNumericItemType(a.itemType)) {
    const ctor = GGUF_NUMERIC_ARRAYS[a.itemType][1];
    if (!(a.value instanceof ctor)) throw badValue(what, `an array of ${a.itemType} must hold a ${ctor.name}`);
  } else if (!Array.isArray(a.value)) {
    throw badValue(what, `an array of ${a.itemType} must hold a JavaScript array`);
  }
  out.u64(BigInt(a.value.length));
  for (const item of a.value as ArrayLike<unknown> & Iterable<unknown>) {
    if (a.itemType === "array") {
      const inner = item as GgufArray;
      if (inner?.type !== "array") throw badValue(what, "an array of arrays must hold GgufArray values");
      writeArray(out, inner, what);
    } else {
      writeScalar(out, { type: a.itemType, value: item }, what);
    }
  }
}

/** One value of its declared type; values come from callers, so their JS types are checked. */
function writeScalar(out: Sink, v: { type: string; value: unknown }, what: string): void {
  switch (v.type) {
    case "u64":
    case "i64":
      return writeBigInt(out, v.type, v.value as bigint, what);
    case "bool":
      if (typeof v.value !== "boolean") throw badValue(what, `${String(v.value)} is not a bool`);
      return out.u8(v.value ? 1 : 0);
    case "string":
      if (typeof v.value !== "string") throw badValue(what, `${String(v.value)} is not a string`);
      return out.string(v.value);
    case "array":
      return writeArray(out, v as GgufArray, what);
    default:
      if (typeof v.value !== "number") throw badValue(what, `${String(v.value)} is not a number`);
      return writeNumber(out, v.type, v.value, what);
  }
}

function alignmentOf(metadata: Map<string, GgufValue>): number {
  const v = metadata.get("general.alignment");
  if (v === undefined) return GGUF_DEFAULT_ALIGNMENT;
  if (v.type !== "u32" || !Number.isInteger(v.value) || v.value <= 0 || v.value > 0xffffffff || (v.value & (v.value - 1)) !== 0) {
    throw new RefuteError("GGUF_BAD_ALIGNMENT", `GGUF write: general.alignment must be a u32 power of two, found ${v.type} ${String(v.value)}`, { field: "general.alignment" });
  }
  return v.value;
}

function checkTensor(t: GgufTensorInput, seen: Set<string>): void {
  const nameBytes = utf8.encode(t.name).length;
  if (nameBytes > GGUF_MAX_NAME_BYTES) throw new RefuteError("GGUF_NAME_TOO_LONG", `GGUF write: tensor name "${t.name}" is ${nameBytes} bytes, at most ${GGUF_MAX_NAME_BYTES}`, { tensor: t.name });
  if (seen.has(t.name)) throw new RefuteError("GGUF_DUPLICATE_TENSOR", `GGUF write: tensor "${t.name}" given twice`, { tensor: t.name });
  seen.add(t.name);
  if (t.dims.length < 1 || t.dims.length > GGUF_MAX_DIMS) {
    throw new RefuteError("GGUF_TOO_MANY_DIMS", `GGUF write: tensor ${t.name} has ${t.dims.length} dims, 1 to ${GGUF_MAX_DIMS} allowed`, { tensor: t.name, found: t.dims.length });
  }
  const info = ggmlTypeInfo(t.type);
  if (info === undefined) throw new RefuteError("GGUF_UNKNOWN_TYPE", `GGUF write: tensor ${t.name} has unknown ggml type ${t.type}`, { tensor: t.name, found: t.type });
  if (!t.dims.every((d) => Number.isSafeInteger(d) && d >= 0) || t.dims[0] % info.blockSize !== 0) {
    throw new RefuteError("GGUF_BAD_SHAPE", `GGUF write: tensor ${t.name} dims [${t.dims.join(", ")}] (innermost first) do not fit ${info.name} blocks of ${info.blockSize}`, {
      tensor: t.name,
      found: [...t.dims],
    });
  }
  const byteSize = tensorBytes(info, t.dims);
  if (t.data.length !== byteSize) {
    throw new RefuteError("GGUF_SIZE_MISMATCH", `GGUF write: tensor ${t.name} [${t.dims.join(", ")}] ${info.name} needs ${byteSize} bytes, got ${t.data.length}`, {
      tensor: t.name,
      expected: byteSize,
      found: t.data.length,
    });
  }
}

/**
 * The GGUF file as its pieces, in order: the header (metadata and tensor infos, padded to the
 * alignment), then each tensor's data (the caller's array itself, not a copy) and its padding.
 */
export function ggufPieces(input: GgufWriteInput): Uint8Array[] {
  const metadata = new Map<string, GgufValue>();
  for (const [key, v] of input.metadata) {
    if (metadata.has(key)) throw new RefuteError("GGUF_DUPLICATE_KEY", `GGUF write: metadata key "${key}" given twice`, { field: key });
    metadata.set(key, v);
  }
  const alignment = alignmentOf(metadata);
  const seen = new Set<string>();
  for (const t of input.tensors) checkTensor(t, seen);

  const out = new Sink();
  out.u32(GGUF_MAGIC);
  out.u32(3);
  out.u64(BigInt(input.tensors.length));
  out.u64(BigInt(metadata.size));
  for (const [key, v] of metadata) {
    out.string(key);
    out.u32(typeCode(v, `metadata "${key}"`));
    writeScalar(out, v, `metadata "${key}"`);
  }
  let offset = 0;
  for (const t of input.tensors) {
    out.string(t.name);
    out.u32(t.dims.length);
    for (const d of t.dims) out.u64(BigInt(d));
    out.u32(t.type);
    out.u64(BigInt(offset));
    offset += Math.ceil(t.data.length / alignment) * alignment;
  }
  out.pad(alignment);
  const chunks: Uint8Array[] = [out.bytes()];
  for (const t of input.tensors) {
    chunks.push(t.data);
    const padding = (alignment - (t.data.length % alignment)) % alignment;
    if (padding > 0) chunks.push(new Uint8Array(padding));
  }
  return chunks;
}

/** The GGUF file's bytes in one buffer (files past 2 GiB: writeGgufFile, which writes the pieces). */
export function writeGguf(input: GgufWriteInput): Uint8Array {
  const pieces = ggufPieces(input);
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
