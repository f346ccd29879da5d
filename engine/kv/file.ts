// A KV cache as a file, the layout of the seed's extractor (Hugging Face DynamicCache saved
// with safetensors): tensors `layer_{i}_key` and `layer_{i}_value`, each
// [num_kv_heads, seq_len, head_dim], keys after RoPE as attention reads them; and beside it a
// metadata JSON (`cache.safetensors` -> `cache.metadata.json`) with num_layers, num_kv_heads,
// seq_len, head_dim, dtype ("float32", "float16" or "bfloat16") and model.
// Everything read is checked against the metadata before use; bad input is a RefuteError
// naming the file, the tensor or field, what was expected and what was found.

import { existsSync, readFileSync } from "node:fs";
import { writeAtomicSync } from "../../core/atomic-write.ts";
import { RefuteError } from "../../core/errors.ts";
import { readSafeTensorsBytes } from "../formats/safetensors/read.ts";
import { writeSafeTensorsBytes } from "../formats/safetensors/write.ts";
import { decodeF16Row } from "../quant/half.ts";
import { bf16ToFloat32, float32Bytes, float32View, type Tensor } from "../tensor.ts";

export interface KvMetadata {
  num_layers: number;
  num_kv_heads: number;
  seq_len: number;
  head_dim: number;
  dtype: string; // of the tensors in the file: "float32", "float16" or "bfloat16"
  model: string;
}

/** A whole cache in memory: keys[i] and values[i] are layer i's [num_kv_heads, seq_len, head_dim]. */
export interface KvTensors {
  metadata: KvMetadata;
  keys: Float32Array[];
  values: Float32Array[];
}

export const KV_KINDS = ["key", "value"] as const;
export type KvKind = (typeof KV_KINDS)[number];

const DTYPES: Record<string, Tensor["dtype"]> = { float32: "f32", float16: "f16", bfloat16: "bf16" };
const BYTES: Record<string, number> = { float32: 4, float16: 2, bfloat16: 2 };

export function kvTensorName(layer: number, kind: KvKind): string {
  return `layer_${layer}_${kind}`;
}

export function kvTensorsOf(cache: KvTensors, kind: KvKind): Float32Array[] {
  return kind === "key" ? cache.keys : cache.values;
}

/** Values per tensor: num_kv_heads * seq_len * head_dim. */
export function kvTensorSize(m: KvMetadata): number {
  return m.num_kv_heads * m.seq_len * m.head_dim;
}

/** Bytes of tensor data the cache takes as stored in its dtype (what compression is measured against). */
export function kvDataBytes(m: KvMetadata): number {
  return 2 * m.num_layers * kvTensorSize(m) * (BYTES[m.dtype] ?? 4);
}

/** `cache.safetensors` -> `cache.metadata.json`; any other name gets `.metadata.json` appended. */
export function metadataPathFor(path: string): string {
  return path.endsWith(".safetensors") ? `${path.slice(0, -".safetensors".length)}.metadata.json` : `${path}.metadata.json`;
}

/** Checks a parsed metadata object field by field. */
export function parseKvMetadata(value: unknown, file: string): KvMetadata {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new RefuteError("KV_BAD_METADATA", `${file}: metadata must be a JSON object`, { file });
  }
  const v = value as Record<string, unknown>;
  for (const field of ["num_layers", "num_kv_heads", "seq_len", "head_dim"] as const) {
    const n = v[field];
    if (n === undefined) throw new RefuteError("KV_BAD_METADATA", `${file}: metadata field ${field} is missing`, { file, field });
    if (!(Number.isSafeInteger(n) && (n as number) > 0 && (n as number) <= 1 << 24)) {
      throw new RefuteError("KV_BAD_METADATA", `${file}: metadata field ${field} must be a positive integer, found ${JSON.stringify(n)}`, { file, field, found: n });
    }
  }
  if (!(typeof v.dtype === "string" && v.dtype in DTYPES)) {
    throw new RefuteError("KV_BAD_METADATA", `${file}: metadata field dtype must be one of ${Object.keys(DTYPES).join(", ")}, found ${JSON.stringify(v.dtype)}`, {
      file,
      field: "dtype",
      found: v.dtype,
    });
  }
  if (typeof v.model !== "string") {
    throw new RefuteError("KV_BAD_METADATA", `${file}: metadata field model must be a string, found ${JSON.stringify(v.model)}`, { file, field: "model", found: v.model });
  }
  const { num_layers, num_kv_heads, seq_len, head_dim, dtype, model } = v as unknown as KvMetadata;
  return { num_layers, num_kv_heads, seq_len, head_dim, dtype, model };
}

/** Checks that the cache's arrays match its metadata (a programming error otherwise, reported as bad input). */
export function checkKvTensors(cache: KvTensors, file = "cache"): void {
  const m = cache.metadata;
  const size = kvTensorSize(m);
  for (const kind of KV_KINDS) {
    const tensors = kvTensorsOf(cache, kind);
    if (tensors.length !== m.num_layers) {
      throw new RefuteError("KV_BAD_SHAPE", `${file}: ${tensors.length} ${kind} tensors for num_layers ${m.num_layers}`, { file, expected: m.num_layers, found: tensors.length });
    }
    tensors.forEach((t, i) => {
      if (t.length !== size) {
        throw new RefuteError("KV_BAD_SHAPE", `${file}: tensor ${kvTensorName(i, kind)} has ${t.length} values, [${m.num_kv_heads}, ${m.seq_len}, ${m.head_dim}] needs ${size}`, {
          file,
          tensor: kvTensorName(i, kind),
          expected: size,
          found: t.length,
        });
      }
    });
  }
}

/** The cache as float32 SafeTensors bytes; metadata.dtype becomes "float32". */
export function encodeKvCache(cache: KvTensors): Uint8Array {
  checkKvTensors(cache);
  const m = cache.metadata;
  const shape = [m.num_kv_heads, m.seq_len, m.head_dim];
  const tensors: Tensor[] = [];
  for (let i = 0; i < m.num_layers; i++) {
    for (const kind of KV_KINDS) tensors.push({ name: kvTensorName(i, kind), dtype: "f32", shape, data: float32Bytes(kvTensorsOf(cache, kind)[i]) });
  }
  return writeSafeTensorsBytes(tensors, { format: "pt" });
}

/** Writes `path` and its metadata JSON beside it; returns the metadata path. */
export function writeKvCacheFiles(path: string, cache: KvTensors): string {
  const bytes = encodeKvCache(cache);
  const metadataPath = metadataPathFor(path);
  writeAtomicSync(path, bytes);
  writeAtomicSync(metadataPath, `${JSON.stringify({ ...cache.metadata, dtype: "float32" }, null, 2)}\n`);
  return metadataPath;
}

function toFloat32(t: Tensor): Float32Array {
  if (t.dtype === "f16") return decodeF16Row(t.data);
  if (t.dtype === "bf16") return bf16ToFloat32(t.data);
  return float32View(t.data);
}

/** Reads the tensors of a cache file against its metadata: every tensor present, shaped, typed and finite. */
export function decodeKvCache(bytes: Uint8Array, file: string, metadata: KvMetadata): KvTensors {
  const m = metadata;
  const byName = new Map(readSafeTensorsBytes(bytes, file).map((t) => [t.name, t]));
  const shape = [m.num_kv_heads, m.seq_len, m.head_dim];
  const cache: KvTensors = { metadata: m, keys: [], values: [] };
  for (let i = 0; i < m.num_layers; i++) {
    for (const kind of KV_KINDS) {
      const name = kvTensorName(i, kind);
      const t = byName.get(name);
      if (!t) throw new RefuteError("KV_MISSING_TENSOR", `${file}: tensor ${name} is missing (metadata says num_layers ${m.num_layers})`, { file, tensor: name });
      byName.delete(name);
      if (t.shape.length !== 3 || t.shape.some((d, j) => d !== shape[j])) {
        throw new RefuteError("KV_BAD_SHAPE", `${file}: tensor ${name} has shape [${t.shape}], expected [num_kv_heads, seq_len, head_dim] = [${shape}]`, {
          file,
          tensor: name,
          expected: shape,
          found: t.shape,
        });
      }
      if (t.dtype !== DTYPES[m.dtype]) {
        throw new RefuteError("KV_BAD_DTYPE", `${file}: tensor ${name} is ${t.dtype.toUpperCase()}, metadata says dtype ${m.dtype}`, {
          file,
          tensor: name,
          expected: m.dtype,
          found: t.dtype,
        });
      }
      const values = toFloat32(t);
      const bad = values.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new RefuteError("KV_NOT_FINITE", `${file}: tensor ${name} holds ${values[bad]} at index ${bad}`, { file, tensor: name, index: bad });
      kvTensorsOf(cache, kind).push(values);
    }
  }
  const extra = [...byName.keys()];
  if (extra.length > 0) {
    throw new RefuteError("KV_UNEXPECTED_TENSOR", `${file}: tensor ${extra[0]} is not a layer_{i}_key or layer_{i}_value of ${m.num_layers} layers`, { file, tensor: extra[0] });
  }
  return cache;
}

/** A file's bytes, or FILE_NOT_FOUND. */
export function readKvBytes(file: string): Uint8Array {
  if (!existsSync(file)) throw new RefuteError("FILE_NOT_FOUND", `${file}: no such file`, { file });
  return readFileSync(file);
}

/** Reads `path` and the metadata JSON beside it (or at `metadataPath`). */
export function readKvCacheFiles(path: string, metadataPath = metadataPathFor(path)): KvTensors {
  const bytes = readKvBytes(path);
  if (!existsSync(metadataPath)) {
    throw new RefuteError("KV_METADATA_MISSING", `${path}: its metadata ${metadataPath} is missing (num_layers, num_kv_heads, seq_len, head_dim, dtype, model)`, {
      file: path,
      expected: metadataPath,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(metadataPath, "utf8"));
  } catch (e) {
    throw new RefuteError("KV_BAD_METADATA", `${metadataPath}: not valid JSON (${(e as Error).message})`, { file: metadataPath });
  }
  return decodeKvCache(bytes, path, parseKvMetadata(json, metadataPath));
}
