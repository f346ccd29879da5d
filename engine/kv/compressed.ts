// The compressed KV-cache file: SafeTensors with integer code tensors, f16 scales and, when
// sparsified, a keep mask; self-contained (everything the decoder needs is in __metadata__).
// Per layer i and kind k in {key, value}, with H kv heads, S positions, D head_dim, group g,
// G = D / g groups per row and K = g - floor(sparsity * g) codes kept per group:
//   layer_{i}_{k}.codes   bits 8: I8 [H, S, G, K], one signed code per byte
//                         bits 4: U8 [H, S, G, ceil(K / 2)], code + 8 per nibble, low nibble first
//   layer_{i}_{k}.scales  F16 [H, S, G]: x' = code * scale (symmetric, no zero point)
//   layer_{i}_{k}.mask    U8 [H, S, D / 8], only when sparsity > 0: bit (j % 8) of byte j / 8
//                         is 1 when value j of the row is kept; each group has exactly K ones,
//                         and its K codes are those of the kept values in order
// __metadata__ (strings): format "refute-kv-quant", version "1", quantization "symmetric",
// bits, group_size, sparsity, kept_per_group, scale_dtype "F16", and the original's
// num_layers, num_kv_heads, seq_len, head_dim, dtype, model.
// The payload is 2 L H S G (K bytes or ceil(K/2) + 2) [+ D/8 per row]: int8 at group 32 with
// no sparsity is 34 bytes per 32 values, 3.76x against float32.

import { RefuteError } from "../../core/errors.ts";
import { NO_HOOKS } from "../hooks.ts";
import { readSafeTensorsWithIntegers, writeSafeTensorsWithIntegers, type RawTensor } from "../formats/safetensors/integer.ts";
import { FP16_TABLE, fp32ToFp16Bits } from "../quant/half.ts";
import { checkKvTensors, KV_KINDS, kvTensorName, kvTensorsOf, kvTensorSize, parseKvMetadata, type KvMetadata, type KvTensors } from "./file.ts";
import { checkKvOptions, keptPerGroup, type KvQuantizerHooks, quantizeGroups, type KvQuantOptions } from "./quantize.ts";

export const COMPRESSED_FORMAT = "refute-kv-quant";
export const COMPRESSED_VERSION = "1";

export interface CompressedKv {
  metadata: KvMetadata; // of the original cache
  options: KvQuantOptions;
}

interface Layout {
  rows: number; // H * S
  groups: number; // G per row
  kept: number; // K per group
  codeBytes: number; // per group
}

function layoutOf(m: KvMetadata, o: KvQuantOptions): Layout {
  const kept = keptPerGroup(o);
  return { rows: m.num_kv_heads * m.seq_len, groups: m.head_dim / o.groupSize, kept, codeBytes: o.bits === 8 ? kept : Math.ceil(kept / 2) };
}

/** Quantizes every tensor of the cache and writes the compressed file's bytes. Hooks: the quantizer's. */
export function encodeCompressedKv(cache: KvTensors, options: KvQuantOptions, hooks: KvQuantizerHooks = NO_HOOKS): Uint8Array {
  checkKvTensors(cache);
  const m = cache.metadata;
  checkKvOptions(options, m.head_dim);
  const { rows, groups, kept, codeBytes } = layoutOf(m, options);
  const g = options.groupSize;
  const n = kvTensorSize(m);
  const sparse = kept < g;
  const codes = new Int8Array(n);
  const scales = new Float32Array(n / g);
  const keptFlags = sparse ? new Uint8Array(n) : null;
  const tensors: RawTensor[] = [];
  for (let i = 0; i < m.num_layers; i++) {
    for (const kind of KV_KINDS) {
      const name = kvTensorName(i, kind);
      quantizeGroups(kvTensorsOf(cache, kind)[i], codes, scales, options, hooks, keptFlags);
      const packed = new Uint8Array(rows * groups * codeBytes);
      for (let grp = 0; grp < rows * groups; grp++) {
        let at = grp * codeBytes * (options.bits === 8 ? 1 : 2); // in codes (nibbles for int4)
        for (let j = grp * g; j < (grp + 1) * g; j++) {
          if (keptFlags && keptFlags[j] === 0) continue;
          if (options.bits === 8) packed[at] = codes[j] & 0xff;
          else packed[at >> 1] |= (codes[j] + 8) << ((at & 1) * 4);
          at++;
        }
      }
      const scaleBytes = new Uint8Array(scales.length * 2);
      for (let s = 0; s < scales.length; s++) {
        const h = fp32ToFp16Bits(scales[s]);
        scaleBytes[2 * s] = h & 0xff;
        scaleBytes[2 * s + 1] = h >>> 8;
      }
      const shape = [m.num_kv_heads, m.seq_len];
      tensors.push({ name: `${name}.codes`, dtype: options.bits === 8 ? "I8" : "U8", shape: [...shape, groups, codeBytes], data: packed });
      tensors.push({ name: `${name}.scales`, dtype: "F16", shape: [...shape, groups], data: scaleBytes });
      if (keptFlags) {
        const mask = new Uint8Array(n / 8);
        for (let j = 0; j < n; j++) if (keptFlags[j]) mask[j >> 3] |= 1 << (j & 7);
        tensors.push({ name: `${name}.mask`, dtype: "U8", shape: [...shape, m.head_dim / 8], data: mask });
      }
    }
  }
  const metadata: Record<string, string> = {
    format: COMPRESSED_FORMAT,
    version: COMPRESSED_VERSION,
    quantization: "symmetric",
    bits: String(options.bits),
    group_size: String(options.groupSize),
    sparsity: String(options.sparsity),
    kept_per_group: String(kept),
    scale_dtype: "F16",
    num_layers: String(m.num_layers),
    num_kv_heads: String(m.num_kv_heads),
    seq_len: String(m.seq_len),
    head_dim: String(m.head_dim),
    dtype: m.dtype,
    model: m.model,
  };
  return writeSafeTensorsWithIntegers(tensors, metadata);
}

/** Bytes of tensor data in a compressed file (codes, scales, masks; the header excluded). */
export function compressedDataBytes(bytes: Uint8Array, file: string): number {
  let total = 0;
  for (const t of readSafeTensorsWithIntegers(bytes, file).tensors.values()) total += t.data.byteLength;
  return total;
}

function metadataNumber(meta: Record<string, string>, field: string, file: string): number {
  const raw = meta[field];
  const n = Number(raw);
  if (raw === undefined || raw.trim() === "" || !Number.isFinite(n)) {
    throw new RefuteError("KV_BAD_METADATA", `${file}: __metadata__.${field} must be a number, found ${JSON.stringify(raw)}`, { file, field, found: raw });
  }
  return n;
}

/** Reads the header of a compressed file: the original's metadata and the quantization options. */
export function parseCompressedHeader(meta: Record<string, string>, file: string): CompressedKv {
  if (meta.format !== COMPRESSED_FORMAT) {
    throw new RefuteError("KV_NOT_COMPRESSED", `${file}: __metadata__.format is ${JSON.stringify(meta.format)}, not ${COMPRESSED_FORMAT}: not a compressed KV cache`, {
      file,
      field: "format",
      expected: COMPRESSED_FORMAT,
      found: meta.format,
    });
  }
  if (meta.version !== COMPRESSED_VERSION || meta.quantization !== "symmetric" || meta.scale_dtype !== "F16") {
    throw new RefuteError("KV_BAD_METADATA", `${file}: version ${meta.version}, quantization ${meta.quantization}, scale_dtype ${meta.scale_dtype}: this reader knows version 1, symmetric, F16`, {
      file,
    });
  }
  const metadata = parseKvMetadata(
    {
      num_layers: metadataNumber(meta, "num_layers", file),
      num_kv_heads: metadataNumber(meta, "num_kv_heads", file),
      seq_len: metadataNumber(meta, "seq_len", file),
      head_dim: metadataNumber(meta, "head_dim", file),
      dtype: meta.dtype,
      model: meta.model,
    },
    file,
  );
  const options = {
    bits: metadataNumber(meta, "bits", file),
    groupSize: metadataNumber(meta, "group_size", file),
    sparsity: metadataNumber(meta, "sparsity", file),
  } as KvQuantOptions;
  checkKvOptions(options, metadata.head_dim);
  if (metadataNumber(meta, "kept_per_group", file) !== keptPerGroup(options)) {
    throw new RefuteError("KV_BAD_METADATA", `${file}: kept_per_group ${meta.kept_per_group} disagrees with group_size ${options.groupSize} and sparsity ${options.sparsity}`, {
      file,
      field: "kept_per_group",
      expected: keptPerGroup(options),
      found: meta.kept_per_group,
    });
  }
  return { metadata, options };
}

function tensorOf(tensors: Map<string, RawTensor>, name: string, dtype: string, shape: number[], file: string): RawTensor {
  const t = tensors.get(name);
  if (!t) throw new RefuteError("KV_MISSING_TENSOR", `${file}: tensor ${name} is missing`, { file, tensor: name });
  tensors.delete(name);
  if (t.dtype !== dtype || t.shape.length !== shape.length || t.shape.some((d, j) => d !== shape[j])) {
    throw new RefuteError("KV_BAD_SHAPE", `${file}: tensor ${name} is ${t.dtype} [${t.shape}], expected ${dtype} [${shape}]`, {
      file,
      tensor: name,
      expected: { dtype, shape },
      found: { dtype: t.dtype, shape: t.shape },
    });
  }
  return t;
}

/** Dequantizes a compressed file back to a float32 cache (metadata.dtype becomes "float32"). */
export function decodeCompressedKv(bytes: Uint8Array, file: string): KvTensors & { options: KvQuantOptions; originalDtype: string } {
  const { tensors, metadata: meta } = readSafeTensorsWithIntegers(bytes, file);
  const { metadata: m, options } = parseCompressedHeader(meta, file);
  const { rows, groups, kept, codeBytes } = layoutOf(m, options);
  const g = options.groupSize;
  const n = kvTensorSize(m);
  const sparse = kept < g;
  const head = [m.num_kv_heads, m.seq_len];
  const cache = { metadata: { ...m, dtype: "float32" }, keys: [] as Float32Array[], values: [] as Float32Array[], options, originalDtype: m.dtype };
  for (let i = 0; i < m.num_layers; i++) {
    for (const kind of KV_KINDS) {
      const name = kvTensorName(i, kind);
      const codes = tensorOf(tensors, `${name}.codes`, options.bits === 8 ? "I8" : "U8", [...head, groups, codeBytes], file).data;
      const scales = tensorOf(tensors, `${name}.scales`, "F16", [...head, groups], file).data;
      const mask = sparse ? tensorOf(tensors, `${name}.mask`, "U8", [...head, m.head_dim / 8], file).data : null;
      const out = new Float32Array(n);
      for (let grp = 0; grp < rows * groups; grp++) {
        const scale = FP16_TABLE[scales[2 * grp] | (scales[2 * grp + 1] << 8)];
        if (!Number.isFinite(scale)) throw new RefuteError("KV_NOT_FINITE", `${file}: tensor ${name}.scales holds ${scale} at group ${grp}`, { file, tensor: `${name}.scales`, index: grp });
        let at = grp * codeBytes * (options.bits === 8 ? 1 : 2);
        let used = 0;
        for (let j = grp * g; j < (grp + 1) * g; j++) {
          if (mask && ((mask[j >> 3] >> (j & 7)) & 1) === 0) continue;
          if (++used > kept) break;
          const code = options.bits === 8 ? (codes[at] << 24) >> 24 : ((codes[at >> 1] >> ((at & 1) * 4)) & 15) - 8;
          out[j] = code * scale;
          at++;
        }
        if (used !== kept) {
          throw new RefuteError("KV_BAD_MASK", `${file}: tensor ${name}.mask keeps ${used} values in group ${grp}, expected ${kept}`, { file, tensor: `${name}.mask`, expected: kept, found: used });
        }
      }
      kvTensorsOf(cache, kind).push(out);
    }
  }
  const extra = [...tensors.keys()];
  if (extra.length > 0) throw new RefuteError("KV_UNEXPECTED_TENSOR", `${file}: tensor ${extra[0]} does not belong to a compressed cache of ${m.num_layers} layers`, { file, tensor: extra[0] });
  return cache;
}
