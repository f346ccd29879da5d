// One perplexity validation of a KV-cache compression (the KV-cache seed's ValidationResult):
// the model's perplexity over a text with its float32 cache and with the compressed one, their
// difference, and what the compression does to the cache itself over the text's first window
// (ratio, RMSE, SNR, cosine); passed when the perplexity rises by less than the threshold
// (0.5 by default, KVQuant's), in absolute perplexity as the seed states it.

import type { EngineModel } from "../model.ts";
import { extractKvCache } from "./extract.ts";
import type { KvQuantOptions } from "./quantize.ts";
import { compressKv } from "./report.ts";

export const DEFAULT_PPL_THRESHOLD = 0.5;

export interface KvValidation {
  baselinePerplexity: number;
  compressedPerplexity: number;
  delta: number; // compressed - baseline
  deltaPercent: number; // delta / baseline * 100
  compressionRatio: number;
  rmse: number;
  snrDb: number;
  cosineSimilarity: number;
  passed: boolean; // delta < threshold
  threshold: number;
  tokensScored: number;
  window: number;
  stride: number;
  options: KvQuantOptions;
}

export function validateKvPerplexity(model: EngineModel, text: string, window: number, stride: number, options: KvQuantOptions, threshold = DEFAULT_PPL_THRESHOLD): KvValidation {
  const baseline = model.perplexity(text, window, stride, undefined, null);
  const compressed = model.perplexity(text, window, stride, undefined, options);
  const firstWindow = model.tokenizer.encode(text).slice(0, window);
  const { report } = compressKv(extractKvCache(model, firstWindow, "validate"), options);
  const delta = compressed.perplexity - baseline.perplexity;
  return {
    baselinePerplexity: baseline.perplexity,
    compressedPerplexity: compressed.perplexity,
    delta,
    deltaPercent: (delta / baseline.perplexity) * 100,
    compressionRatio: report.compressionRatio,
    rmse: report.rmse,
    snrDb: report.snrDb,
    cosineSimilarity: report.cosine,
    passed: delta < threshold,
    threshold,
    tokensScored: baseline.tokensScored,
    window,
    stride,
    options,
  };
}
