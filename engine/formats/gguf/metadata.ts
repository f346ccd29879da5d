// Typed access to GGUF metadata: the value under a key, checked to be of the kind the caller
// needs (GGUF_METADATA_MISSING / GGUF_METADATA_TYPE otherwise). Integer types of any width are
// accepted where a number is asked for, since writers differ (e.g. u32 vs u64 context length).

import { RefuteError } from "../../../core/errors.ts";
import type { GgufValue } from "./value.ts";

function required(metadata: ReadonlyMap<string, GgufValue>, key: string): GgufValue {
  const v = metadata.get(key);
  if (v === undefined) throw new RefuteError("GGUF_METADATA_MISSING", `GGUF: metadata key "${key}" is missing`, { field: key });
  return v;
}

function wrongType(key: string, expected: string, v: GgufValue): RefuteError {
  const found = v.type === "array" ? `array of ${v.itemType}` : v.type;
  return new RefuteError("GGUF_METADATA_TYPE", `GGUF: metadata "${key}" is ${found}, expected ${expected}`, { field: key, expected, found });
}

/** Any numeric scalar as a number (64-bit integers must be safe integers). */
export function metadataNumber(metadata: ReadonlyMap<string, GgufValue>, key: string): number {
  const v = required(metadata, key);
  if (v.type === "u64" || v.type === "i64") {
    if (v.value > BigInt(Number.MAX_SAFE_INTEGER) || v.value < BigInt(Number.MIN_SAFE_INTEGER)) throw wrongType(key, "a number within 2^53", v);
    return Number(v.value);
  }
  if (typeof v.value === "number") return v.value;
  throw wrongType(key, "a number", v);
}

export function metadataString(metadata: ReadonlyMap<string, GgufValue>, key: string): string {
  const v = required(metadata, key);
  if (v.type !== "string") throw wrongType(key, "string", v);
  return v.value;
}

export function metadataStrings(metadata: ReadonlyMap<string, GgufValue>, key: string): string[] {
  const v = required(metadata, key);
  if (v.type !== "array" || v.itemType !== "string") throw wrongType(key, "array of string", v);
  return v.value;
}
