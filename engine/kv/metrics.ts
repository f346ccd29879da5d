// How far a reconstructed tensor is from the original: the one implementation of the KV
// quality metrics, used by `refute kv compress` and by the kv claims alike.
// x: original values, y: reconstruction, e = y - x, n values, sums in float64:
//   RMSE   = sqrt(sum e^2 / n)
//   SNR dB = 10 log10(sum x^2 / sum e^2)   (+Infinity when e = 0; -Infinity when x = 0 and e != 0)
//   cosine = sum x y / sqrt(sum x^2 sum y^2)   (1 when both are all zero, 0 when only one is)
//   max abs error = max |e|
// and the quality level the worse of SNR and cosine gives.

import { RefuteError } from "../../core/errors.ts";

export interface ErrorMetrics {
  count: number; // values compared
  rmse: number;
  snrDb: number;
  cosine: number;
  maxAbsError: number;
}

/** Sums over any number of (original, reconstruction) pairs, then the metrics of all of them together. */
export class ErrorAccumulator {
  private n = 0;
  private signal = 0; // sum x^2
  private noise = 0; // sum e^2
  private dot = 0; // sum x y
  private reconstructed = 0; // sum y^2
  private maxAbs = 0;

  add(original: Float32Array, reconstruction: Float32Array): this {
    if (original.length !== reconstruction.length) {
      throw new RefuteError("KV_LENGTH_MISMATCH", `original has ${original.length} values, reconstruction ${reconstruction.length}`, {
        expected: original.length,
        found: reconstruction.length,
      });
    }
    let signal = 0;
    let noise = 0;
    let dot = 0;
    let reconstructed = 0;
    let maxAbs = this.maxAbs;
    for (let i = 0; i < original.length; i++) {
      const x = original[i];
      const y = reconstruction[i];
      const e = y - x;
      signal += x * x;
      noise += e * e;
      dot += x * y;
      reconstructed += y * y;
      const a = Math.abs(e);
      if (a > maxAbs || Number.isNaN(a)) maxAbs = a;
    }
    this.n += original.length;
    this.signal += signal;
    this.noise += noise;
    this.dot += dot;
    this.reconstructed += reconstructed;
    this.maxAbs = maxAbs;
    return this;
  }

  metrics(): ErrorMetrics {
    const { n, signal, noise, dot, reconstructed } = this;
    const norms = Math.sqrt(signal * reconstructed);
    return {
      count: n,
      rmse: n === 0 ? 0 : Math.sqrt(noise / n),
      snrDb: noise === 0 ? Infinity : 10 * Math.log10(signal / noise),
      cosine: signal === 0 && reconstructed === 0 ? 1 : norms === 0 ? 0 : dot / norms,
      maxAbsError: this.maxAbs,
    };
  }
}

export function errorMetrics(original: Float32Array, reconstruction: Float32Array): ErrorMetrics {
  return new ErrorAccumulator().add(original, reconstruction).metrics();
}

export type QualityLevel = "EXCELLENT" | "GOOD" | "ACCEPTABLE" | "POOR";

/**
 * The floors of each level; a result takes the best level whose SNR and cosine floors it both
 * meets. A uniform quantizer gains 6.02 dB per bit; symmetric per-group quantization loses a
 * few dB of that to the group's crest factor (amax over RMS). Measured (metrics.test.ts, and
 * the zoo's caches): Gaussian groups give 44-46 dB at int8 and 18.7-20.4 dB at int4 (group
 * 128-32); the zoo's extracted caches 44.6-46.9 dB at int8 and 19.4-21.8 dB at int4, group 32.
 * So each level is an effective bit depth:
 *   EXCELLENT  SNR >= 40 dB, cosine >= 0.9999: int8-class (about 7 effective bits)
 *   GOOD       SNR >= 18 dB, cosine >= 0.99:   int4 done right (about 3.5 bits)
 *   ACCEPTABLE SNR >= 12 dB, cosine >= 0.96:   int3-class: int4 or int8 with heavy sparsity
 *   POOR       anything less (a scale that clips half of each group's range lands at 9-10 dB)
 * The cosine floors are what the SNR floors imply for an error uncorrelated with the signal
 * (cosine = 1 / sqrt(1 + 10^(-SNR/10)): 0.99995, 0.992, 0.970), rounded down, so for such
 * errors SNR decides; an error correlated with the signal (clipping, a wrong scale) can miss
 * the cosine floor alone, and the worse of the two decides.
 */
export const QUALITY_FLOORS: readonly { level: Exclude<QualityLevel, "POOR">; snrDb: number; cosine: number }[] = [
  { level: "EXCELLENT", snrDb: 40, cosine: 0.9999 },
  { level: "GOOD", snrDb: 18, cosine: 0.99 },
  { level: "ACCEPTABLE", snrDb: 12, cosine: 0.96 },
];

export const QUALITY_LEVELS: readonly QualityLevel[] = ["EXCELLENT", "GOOD", "ACCEPTABLE", "POOR"];

export function qualityLevel(m: Pick<ErrorMetrics, "snrDb" | "cosine">): QualityLevel {
  for (const f of QUALITY_FLOORS) if (m.snrDb >= f.snrDb && m.cosine >= f.cosine) return f.level;
  return "POOR";
}

/** The floors of `level` that `m` misses, as "SNR 12.3 dB < 20 dB" (empty for POOR or when met). */
export function qualityViolations(m: Pick<ErrorMetrics, "snrDb" | "cosine">, level: QualityLevel): string[] {
  const floor = QUALITY_FLOORS.find((f) => f.level === level);
  if (!floor) return [];
  const out: string[] = [];
  if (!(m.snrDb >= floor.snrDb)) out.push(`SNR ${m.snrDb.toFixed(2)} dB < ${floor.snrDb} dB`);
  if (!(m.cosine >= floor.cosine)) out.push(`cosine ${m.cosine.toFixed(6)} < ${floor.cosine}`);
  return out;
}
