// RoPE scaling as transformers defines it (modeling_rope_utils: rope_scaling, or rope_parameters
// in newer configs): linear (positions interpolated: every frequency / factor), llama3 (Llama 3.1: long wavelengths /
// factor, short ones kept, a smooth blend between) and yarn (per-pair blend of interpolated and
// extrapolated frequencies over a ramp of pair indices, and cos/sin scaled by an attention
// factor), and dynamic (NTK-aware: the base theta grows with the length of the forward call,
// ((factor * length / max_position_embeddings) - (factor - 1))^(dim / (dim - 2)), once the
// length passes max_position_embeddings). Dynamic frequencies are a function of the call, not
// of the model: transformers rotates every position of a call by the frequencies of the call's
// length, and a KV cache keeps each key as the call that wrote it rotated it, so a prompt run
// in one call and its continuation one token per call (what generate() does) is what the engine
// reproduces (Session.prefill). Every field read is checked; errors name the file and the field.

import { RefuteError } from "../../core/errors.ts";
import { plainRopeFrequencies, type RopeFrequencies } from "../backends/rope-frequencies.ts";

export type RopeScaling =
  | { type: "linear"; factor: number }
  | { type: "llama3"; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number }
  | { type: "yarn"; factor: number; originalMaxPositions: number; betaFast: number; betaSlow: number; attentionFactor: number; truncate: boolean }
  // originalMaxPositions: config.json's max_position_embeddings, the length past which the base grows
  | { type: "dynamic"; factor: number; originalMaxPositions: number };

type Json = Record<string, unknown>;

function bad(file: string, field: string, message: string, found?: unknown): RefuteError {
  return new RefuteError("CONFIG_BAD_FIELD", `${file}: ${field} ${message}`, { file, field, found });
}

function positive(c: Json, key: string, file: string, where: string): number {
  const v = c[key];
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw bad(file, `${where}.${key}`, `must be a positive number, found ${JSON.stringify(v)}`, v);
  return v;
}

function optionalPositive(c: Json, key: string, file: string, where: string, fallback: number): number {
  return c[key] === undefined || c[key] === null ? fallback : positive(c, key, file, where);
}

/** yarn's attention factor where the config gives none: 0.1 ln(factor) + 1 (scaled by mscale, or a ratio with mscale_all_dim). */
function yarnAttentionFactor(factor: number, mscale: number | null, mscaleAllDim: number | null): number {
  const get = (scale: number, m = 1) => (scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1);
  return mscale && mscaleAllDim ? get(factor, mscale) / get(factor, mscaleAllDim) : get(factor);
}

/** The config's RoPE scaling; null for none or "default". `maxPositions` is max_position_embeddings. */
export function ropeScalingFromConfig(config: Json, maxPositions: number, file: string): RopeScaling | null {
  const where = config.rope_scaling !== undefined && config.rope_scaling !== null ? "rope_scaling" : "rope_parameters";
  const raw = config[where];
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "object" || Array.isArray(raw)) throw bad(file, where, "must be an object", raw);
  const c = raw as Json;
  const type = c.rope_type ?? c.type;
  if (type === undefined || type === "default") return null;
  if (typeof type !== "string") throw bad(file, `${where}.rope_type`, `must be a string, found ${JSON.stringify(type)}`, type);
  switch (type) {
    case "linear":
      return { type: "linear", factor: positive(c, "factor", file, where) };
    case "llama3": {
      const lowFreqFactor = positive(c, "low_freq_factor", file, where);
      const highFreqFactor = positive(c, "high_freq_factor", file, where);
      if (highFreqFactor <= lowFreqFactor) throw bad(file, `${where}.high_freq_factor`, `must exceed low_freq_factor ${lowFreqFactor}, found ${highFreqFactor}`, highFreqFactor);
      return { type: "llama3", factor: positive(c, "factor", file, where), lowFreqFactor, highFreqFactor, originalMaxPositions: positive(c, "original_max_position_embeddings", file, where) };
    }
    case "yarn": {
      const originalMaxPositions = optionalPositive(c, "original_max_position_embeddings", file, where, maxPositions);
      // a config naming no factor scales from the original context to max_position_embeddings (DeepSeek-V3's)
      const factor = optionalPositive(c, "factor", file, where, maxPositions / originalMaxPositions);
      const mscale = c.mscale === undefined || c.mscale === null ? null : positive(c, "mscale", file, where);
      const mscaleAllDim = c.mscale_all_dim === undefined || c.mscale_all_dim === null ? null : positive(c, "mscale_all_dim", file, where);
      if (c.truncate !== undefined && typeof c.truncate !== "boolean") throw bad(file, `${where}.truncate`, `must be true or false, found ${JSON.stringify(c.truncate)}`, c.truncate);
      return {
        type: "yarn",
        factor,
        originalMaxPositions,
        betaFast: optionalPositive(c, "beta_fast", file, where, 32),
        betaSlow: optionalPositive(c, "beta_slow", file, where, 1),
        attentionFactor: optionalPositive(c, "attention_factor", file, where, yarnAttentionFactor(factor, mscale, mscaleAllDim)),
        truncate: c.truncate !== false,
      };
    }
    case "dynamic": {
      const factor = positive(c, "factor", file, where);
      // below 1 the base would shrink past the original context, which no model is made for
      if (factor < 1) throw bad(file, `${where}.factor`, `must be at least 1 for dynamic scaling, found ${factor}`, factor);
      return { type: "dynamic", factor, originalMaxPositions: maxPositions };
    }
    default:
      throw new RefuteError("UNSUPPORTED_ARCHITECTURE", `${file}: ${where} type ${JSON.stringify(type)} is not one refute implements (linear, dynamic, llama3, yarn)`, { file, field: `${where}.type`, found: type });
  }
}

/** llama3: each pair's frequency by its wavelength against the original context. */
function llama3(plain: Float64Array, s: Extract<RopeScaling, { type: "llama3" }>): Float64Array {
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  return plain.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highWavelen) return f;
    if (wavelen > lowWavelen) return f / s.factor;
    const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return ((1 - smooth) * f) / s.factor + smooth * f;
  });
}

/** yarn: pairs below the ramp keep their frequency (extrapolation), pairs past it are interpolated (/ factor). */
function yarn(plain: Float64Array, headDim: number, theta: number, s: Extract<RopeScaling, { type: "yarn" }>): Float64Array {
  // the pair index at which a frequency turns `rotations` times over the original context
  const correction = (rotations: number) => (headDim * Math.log(s.originalMaxPositions / (rotations * 2 * Math.PI))) / (2 * Math.log(theta));
  let low = correction(s.betaFast);
  let high = correction(s.betaSlow);
  if (s.truncate) {
    low = Math.floor(low);
    high = Math.ceil(high);
  }
  low = Math.max(low, 0);
  high = Math.min(high, headDim - 1);
  if (low === high) high += 0.001;
  return plain.map((f, i) => {
    const ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
    const extrapolation = 1 - ramp;
    return (f / s.factor) * (1 - extrapolation) + f * extrapolation;
  });
}

/**
 * The positions a model with this scaling offers: max_position_embeddings, but for dynamic
 * scaling, whose config keeps the original context there, factor times it (the length the
 * NTK base is stretched for; transformers sets no limit).
 */
export function contextPositions(maxPositions: number, scaling: RopeScaling | null): number {
  return scaling?.type === "dynamic" ? Math.floor(maxPositions * scaling.factor) : maxPositions;
}

/** The context llama.cpp's context_length and config.json's max_position_embeddings hold: the original one for dynamic scaling. */
export function trainedPositions(maxPositions: number, scaling: RopeScaling | null): number {
  return scaling?.type === "dynamic" ? scaling.originalMaxPositions : maxPositions;
}

/** dynamic: the base theta of a forward call `callLength` positions long (the original base up to the original context). */
function dynamicTheta(theta: number, headDim: number, s: Extract<RopeScaling, { type: "dynamic" }>, callLength: number): number {
  const length = Math.max(callLength, s.originalMaxPositions);
  return theta * Math.pow((s.factor * length) / s.originalMaxPositions - (s.factor - 1), headDim / (headDim - 2));
}

/**
 * The frequencies a model's RoPE turns by: plain, or as its scaling says. `callLength` is the
 * length of the forward call (its last position + 1), which only dynamic scaling reads.
 */
export function ropeFrequencies(headDim: number, theta: number, scaling: RopeScaling | null, callLength = 0): RopeFrequencies {
  if (scaling?.type === "dynamic") {
    const base = dynamicTheta(theta, headDim, scaling, callLength);
    return { ...plainRopeFrequencies(headDim, base), key: `dynamic ${headDim} ${base}` };
  }
  const plain = plainRopeFrequencies(headDim, theta);
  if (!scaling) return plain;
  const key = `${headDim} ${theta} ${JSON.stringify(scaling)}`;
  switch (scaling.type) {
    case "linear":
      return { invFreq: plain.invFreq.map((f) => f / scaling.factor), attentionFactor: 1, key };
    case "llama3":
      return { invFreq: llama3(plain.invFreq, scaling), attentionFactor: 1, key };
    case "yarn":
      return { invFreq: yarn(plain.invFreq, headDim, theta, scaling), attentionFactor: scaling.attentionFactor, key };
  }
}

/** What llama.cpp's rope_freqs tensor holds: per pair, the factor it divides the plain frequency by (plain / scaled). */
export function ropeFreqFactors(headDim: number, theta: number, scaling: RopeScaling | null): Float64Array {
  const plain = plainRopeFrequencies(headDim, theta).invFreq;
  const scaled = ropeFrequencies(headDim, theta, scaling).invFreq;
  return plain.map((f, i) => f / scaled[i]);
}
