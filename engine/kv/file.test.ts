// Cache files and compressed files: round trips (bit-exact for float32, equal to the quantizer's
// own output for compressed), payload sizes from the format's formula, and every kind of bad
// input turned into its error code; mutated compressed files give a RefuteError, never a crash.

import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isRefuteError } from "../../core/errors.ts";
import { readSafeTensorsWithIntegers, writeSafeTensorsWithIntegers } from "../formats/safetensors/integer.ts";
import { compressedDataBytes, decodeCompressedKv, encodeCompressedKv } from "./compressed.ts";
import { encodeKvCache, metadataPathFor, readKvCacheFiles, writeKvCacheFiles, type KvMetadata, type KvTensors } from "./file.ts";
import { dequantizeGroups, keptPerGroup, quantizeGroups, type KvQuantOptions } from "./quantize.ts";
import { compressKv } from "./report.ts";

const dir = mkdtempSync(join(tmpdir(), "refute-kv-"));

function randomCache(m: Partial<KvMetadata> = {}, seed = 1): KvTensors {
  const metadata: KvMetadata = { num_layers: 2, num_kv_heads: 2, seq_len: 5, head_dim: 64, dtype: "float32", model: "test", ...m };
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2;
  const tensor = () => Float32Array.from({ length: metadata.num_kv_heads * metadata.seq_len * metadata.head_dim }, next);
  return { metadata, keys: Array.from({ length: metadata.num_layers }, tensor), values: Array.from({ length: metadata.num_layers }, tensor) };
}

/** The error code of running f, or "ok". */
function codeOf(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (e) {
    if (isRefuteError(e)) return e.code;
    throw e;
  }
}

function messageOf(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
}

describe("float32 cache files", () => {
  it("write -> read gives the same tensors bit for bit and the metadata JSON beside the file", () => {
    const cache = randomCache();
    const path = join(dir, "cache.safetensors");
    expect(writeKvCacheFiles(path, cache)).toBe(join(dir, "cache.metadata.json"));
    const back = readKvCacheFiles(path);
    expect(back.metadata).toEqual(cache.metadata);
    for (let i = 0; i < 2; i++) {
      expect(back.keys[i]).toEqual(cache.keys[i]);
      expect(back.values[i]).toEqual(cache.values[i]);
    }
    expect(metadataPathFor("x/kv")).toBe("x/kv.metadata.json");
  });

  it("bad input gets its error: missing metadata, missing field, wrong shape, missing or extra tensor, NaN, dtype disagreeing", () => {
    const cache = randomCache();
    const at = (name: string, bytes: Uint8Array, metadata: unknown) => {
      const path = join(dir, `${name}.safetensors`);
      writeFileSync(path, bytes);
      if (metadata !== undefined) writeFileSync(metadataPathFor(path), JSON.stringify(metadata));
      else rmSync(metadataPathFor(path), { force: true });
      return path;
    };
    const bytes = encodeKvCache(cache);
    const m = cache.metadata;
    expect(messageOf(() => readKvCacheFiles(at("nometa", bytes, undefined)))).toMatch(/^KV_METADATA_MISSING: .*nometa.safetensors: its metadata .*nometa.metadata.json is missing/);
    const { head_dim: _, ...noHeadDim } = m;
    expect(messageOf(() => readKvCacheFiles(at("nofield", bytes, noHeadDim)))).toMatch(/KV_BAD_METADATA: .*metadata field head_dim is missing/);
    expect(messageOf(() => readKvCacheFiles(at("seq", bytes, { ...m, seq_len: 6 })))).toMatch(
      /KV_BAD_SHAPE: .*tensor layer_0_key has shape \[2,5,64\], expected \[num_kv_heads, seq_len, head_dim\] = \[2,6,64\]/,
    );
    expect(messageOf(() => readKvCacheFiles(at("layers", bytes, { ...m, num_layers: 3 })))).toMatch(/KV_MISSING_TENSOR: .*tensor layer_2_key is missing/);
    expect(messageOf(() => readKvCacheFiles(at("fewer", bytes, { ...m, num_layers: 1 })))).toMatch(/KV_UNEXPECTED_TENSOR: .*tensor layer_1_key/);
    expect(codeOf(() => readKvCacheFiles(at("dtype", bytes, { ...m, dtype: "float16" })))).toBe("KV_BAD_DTYPE");
    expect(codeOf(() => readKvCacheFiles(at("dtype2", bytes, { ...m, dtype: "int8" })))).toBe("KV_BAD_METADATA");
    const nan = randomCache();
    nan.values[1][7] = NaN;
    expect(messageOf(() => readKvCacheFiles(at("nan", encodeKvCache(nan), m)))).toMatch(/KV_NOT_FINITE: .*tensor layer_1_value holds NaN at index 7/);
    expect(codeOf(() => readKvCacheFiles(join(dir, "absent.safetensors")))).toBe("FILE_NOT_FOUND");
  });
});

describe("compressed files", () => {
  const configs: KvQuantOptions[] = [
    { bits: 8, groupSize: 32, sparsity: 0 },
    { bits: 4, groupSize: 64, sparsity: 0 },
    { bits: 8, groupSize: 64, sparsity: 0.3 },
    { bits: 4, groupSize: 32, sparsity: 0.55 }, // 15 codes kept per group: an odd count of nibbles
  ];

  it.each(configs)("decode(encode(cache)) is the quantizer's own dequantized output: %o", (o) => {
    const cache = randomCache();
    const decoded = decodeCompressedKv(encodeCompressedKv(cache, o), "c");
    expect(decoded.options).toEqual(o);
    expect(decoded.metadata).toEqual(cache.metadata);
    for (const kind of ["keys", "values"] as const) {
      cache[kind].forEach((x, i) => {
        const codes = new Int8Array(x.length);
        const scales = new Float32Array(x.length / o.groupSize);
        quantizeGroups(x, codes, scales, o);
        const expected = new Float32Array(x.length);
        dequantizeGroups(codes, scales, o.groupSize, expected);
        expect(decoded[kind][i]).toEqual(expected);
      });
    }
  });

  it("payload bytes follow the format: 2 L H S G (K or ceil(K/2) + 2) + D/8 per row when sparse; int8 g32 is 3.76x", () => {
    const cache = randomCache();
    const rows = 2 * 2 * 2 * 5; // kinds x layers x heads x positions
    for (const o of configs) {
      const kept = keptPerGroup(o);
      const groups = 64 / o.groupSize;
      const expected = rows * (groups * ((o.bits === 8 ? kept : Math.ceil(kept / 2)) + 2) + (o.sparsity > 0 ? 64 / 8 : 0));
      expect(compressedDataBytes(encodeCompressedKv(cache, o), "c")).toBe(expected);
    }
    expect(compressKv(cache, configs[0]).report.compressionRatio).toBeCloseTo(128 / 34, 12);
  });

  it("the report's metrics are those of the decoded file against the original", () => {
    const cache = randomCache({}, 3);
    const { bytes, report } = compressKv(cache, { bits: 4, groupSize: 32, sparsity: 0 });
    const decoded = decodeCompressedKv(bytes, "c");
    let noise = 0;
    let signal = 0;
    for (const kind of ["keys", "values"] as const) {
      cache[kind].forEach((x, i) => x.forEach((v, j) => ((signal += v * v), (noise += (v - decoded[kind][i][j]) ** 2))));
    }
    expect(report.snrDb).toBeCloseTo(10 * Math.log10(signal / noise), 9);
    expect(report.originalBytes).toBe(2 * 2 * 2 * 5 * 64 * 4);
    expect(report.tensors.map((t) => t.name)).toEqual(["layer_0_key", "layer_0_value", "layer_1_key", "layer_1_value"]);
    expect(report.quality).toBe("GOOD");
  });

  it("refuses a group size that does not divide head_dim, a float cache, a broken mask, a code tensor of the wrong shape", () => {
    const cache = randomCache({ head_dim: 32 });
    expect(messageOf(() => encodeCompressedKv(cache, { bits: 8, groupSize: 64, sparsity: 0 }))).toBe(
      "KV_GROUP_NOT_DIVIDING: group size 64 does not divide head_dim 32: a group must not straddle two heads",
    );
    expect(codeOf(() => decodeCompressedKv(encodeKvCache(cache), "float.safetensors"))).toBe("KV_NOT_COMPRESSED");
    const sparse = encodeCompressedKv(cache, { bits: 8, groupSize: 32, sparsity: 0.5 });
    const { tensors, metadata } = readSafeTensorsWithIntegers(sparse, "s");
    const rewrite = (name: string, change: (t: { dtype: string; shape: number[]; data: Uint8Array }) => object) =>
      writeSafeTensorsWithIntegers(
        [...tensors.values()].map((t) => (t.name === name ? { ...t, ...change(t) } : t)),
        metadata,
      );
    expect(messageOf(() => decodeCompressedKv(rewrite("layer_1_value.mask", (t) => ({ data: t.data.map((b, i) => (i === 0 ? b ^ 1 : b)) })), "s"))).toMatch(
      /^KV_BAD_MASK: s: tensor layer_1_value.mask keeps (15|17) values in group 0, expected 16/,
    );
    expect(codeOf(() => decodeCompressedKv(rewrite("layer_0_key.codes", (t) => ({ shape: [t.shape[0], t.shape[1] * t.shape[2] * t.shape[3]] })), "s"))).toBe("KV_BAD_SHAPE");
    expect(codeOf(() => decodeCompressedKv(writeSafeTensorsWithIntegers([...tensors.values()], { ...metadata, kept_per_group: "15" }), "s"))).toBe("KV_BAD_METADATA");
    expect(codeOf(() => decodeCompressedKv(writeSafeTensorsWithIntegers([...tensors.values()], { ...metadata, group_size: "48" }), "s"))).toBe("KV_BAD_OPTIONS");
  });

  it("truncated or corrupted compressed files decode or fail with a RefuteError, never anything else", () => {
    const bytes = encodeCompressedKv(randomCache({ num_layers: 1, seq_len: 2 }), { bits: 4, groupSize: 32, sparsity: 0.25 });
    fc.assert(
      fc.property(fc.nat(bytes.length), fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (cut, flips) => {
        const mutated = bytes.slice(0, Math.max(cut, 1));
        for (const [at, b] of flips) if (at < mutated.length) mutated[at] = b;
        try {
          decodeCompressedKv(mutated, "m");
        } catch (e) {
          expect(isRefuteError(e), String(e)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
