// Compress a cache and measure what it cost: the one pipeline behind `refute kv compress` and
// the kv claims. The metrics compare the original with what the written bytes decode to, so
// a bug in the writer or the reader shows in them as surely as one in the quantizer.

import { NO_HOOKS } from "../hooks.ts";
import { compressedDataBytes, decodeCompressedKv, encodeCompressedKv } from "./compressed.ts";
import { KV_KINDS, kvDataBytes, kvTensorName, kvTensorsOf, type KvTensors } from "./file.ts";
import { ErrorAccumulator, errorMetrics, qualityLevel, type ErrorMetrics, type QualityLevel } from "./metrics.ts";
import type { KvQuantizerHooks, KvQuantOptions } from "./quantize.ts";

export interface KvCompressionReport extends ErrorMetrics {
  options: KvQuantOptions;
  originalBytes: number; // tensor data of the original, in its dtype
  compressedBytes: number; // tensor data of the compressed file (codes, scales, masks)
  fileBytes: number; // the whole compressed file, header included
  compressionRatio: number; // originalBytes / compressedBytes
  quality: QualityLevel;
  processingMs: number; // quantizing and encoding
  keys: ErrorMetrics;
  values: ErrorMetrics;
  tensors: ({ name: string } & ErrorMetrics)[];
}

/** Hooks: the quantizer's (kvScaleUnsignedRange, kvSparsityDropsLargest). */
export function compressKv(cache: KvTensors, options: KvQuantOptions, hooks: KvQuantizerHooks = NO_HOOKS): { bytes: Uint8Array; report: KvCompressionReport } {
  const started = performance.now();
  const bytes = encodeCompressedKv(cache, options, hooks);
  const processingMs = performance.now() - started;
  const decoded = decodeCompressedKv(bytes, "compressed cache");
  const all = new ErrorAccumulator();
  const byKind = { key: new ErrorAccumulator(), value: new ErrorAccumulator() };
  const tensors: KvCompressionReport["tensors"] = [];
  for (let i = 0; i < cache.metadata.num_layers; i++) {
    for (const kind of KV_KINDS) {
      const original = kvTensorsOf(cache, kind)[i];
      const reconstruction = kvTensorsOf(decoded, kind)[i];
      all.add(original, reconstruction);
      byKind[kind].add(original, reconstruction);
      tensors.push({ name: kvTensorName(i, kind), ...errorMetrics(original, reconstruction) });
    }
  }
  const metrics = all.metrics();
  const originalBytes = kvDataBytes(cache.metadata);
  const compressedBytes = compressedDataBytes(bytes, "compressed cache");
  return {
    bytes,
    report: {
      ...metrics,
      options,
      originalBytes,
      compressedBytes,
      fileBytes: bytes.byteLength,
      compressionRatio: originalBytes / compressedBytes,
      quality: qualityLevel(metrics),
      processingMs,
      keys: byKind.key.metrics(),
      values: byKind.value.metrics(),
      tensors,
    },
  };
}
