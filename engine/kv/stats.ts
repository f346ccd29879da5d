// What a KV cache holds, in numbers (the KV-cache seed's compute_kv_cache_stats): its shape,
// how many values and bytes, and the mean, standard deviation, minimum and maximum of the
// values, for the whole cache and for keys and values apart. Sums in float64 (Welford's
// running mean and variance), so a long cache's statistics do not drift with its length.

import { KV_KINDS, kvDataBytes, kvTensorsOf, type KvMetadata, type KvTensors } from "./file.ts";

export interface ValueStats {
  elements: number;
  mean: number;
  std: number; // population standard deviation
  min: number;
  max: number;
}

export interface KvStats extends Omit<KvMetadata, "model"> {
  model: string;
  totalElements: number;
  totalBytes: number; // tensor data in the cache's dtype
  totalMb: number; // totalBytes / 2^20
  all: ValueStats;
  keys: ValueStats;
  values: ValueStats;
}

/** Welford's running mean and sum of squared deviations, plus the range. */
class Running {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  add(values: Float32Array): void {
    for (const x of values) {
      this.n++;
      const d = x - this.mean;
      this.mean += d / this.n;
      this.m2 += d * (x - this.mean);
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
    }
  }

  stats(): ValueStats {
    if (this.n === 0) return { elements: 0, mean: Number.NaN, std: Number.NaN, min: Number.NaN, max: Number.NaN };
    return { elements: this.n, mean: this.mean, std: Math.sqrt(this.m2 / this.n), min: this.min, max: this.max };
  }
}

export function kvStats(cache: KvTensors): KvStats {
  const all = new Running();
  const byKind = { key: new Running(), value: new Running() };
  for (const kind of KV_KINDS) {
    for (const t of kvTensorsOf(cache, kind)) {
      all.add(t);
      byKind[kind].add(t);
    }
  }
  const totalBytes = kvDataBytes(cache.metadata);
  const overall = all.stats();
  return { ...cache.metadata, totalElements: overall.elements, totalBytes, totalMb: totalBytes / 2 ** 20, all: overall, keys: byKind.key.stats(), values: byKind.value.stats() };
}
