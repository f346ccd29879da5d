// A cache's statistics against arithmetic done by hand: one layer whose keys are 1..8 and
// values all -2, so the mean, the population standard deviation and the range are known.

import { describe, expect, it } from "vitest";
import type { KvTensors } from "./file.ts";
import { kvStats } from "./stats.ts";

describe("kvStats", () => {
  const cache: KvTensors = {
    metadata: { num_layers: 1, num_kv_heads: 1, seq_len: 2, head_dim: 4, dtype: "float32", model: "hand" },
    keys: [Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8])],
    values: [new Float32Array(8).fill(-2)],
  };
  const s = kvStats(cache);

  it("counts the values and the bytes they take", () => {
    expect(s).toMatchObject({ num_layers: 1, num_kv_heads: 1, seq_len: 2, head_dim: 4, dtype: "float32", totalElements: 16, totalBytes: 64, totalMb: 64 / 2 ** 20 });
  });

  it("gives mean, population std, min and max for keys, values and both", () => {
    expect(s.keys).toEqual({ elements: 8, mean: 4.5, std: Math.sqrt(5.25), min: 1, max: 8 });
    expect(s.values).toEqual({ elements: 8, mean: -2, std: 0, min: -2, max: -2 });
    // both: mean (36 - 16) / 16 = 1.25; E[x^2] = (204 + 32) / 16 = 14.75; var = 14.75 - 1.5625
    expect(s.all.mean).toBeCloseTo(1.25, 12);
    expect(s.all.std).toBeCloseTo(Math.sqrt(14.75 - 1.5625), 12);
    expect([s.all.min, s.all.max]).toEqual([-2, 8]);
  });
});
