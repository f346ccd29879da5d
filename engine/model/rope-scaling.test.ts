// RoPE scaling, pinned by mathematics rather than by this code's own output: linear scaling is
// a rotation at position / factor; llama3 keeps pairs whose wavelength is under
// original / high_freq_factor, divides those over original / low_freq_factor by the factor and
// blends continuously between; yarn keeps the pairs that turn more than beta_fast times over the
// original context, divides those that turn fewer than beta_slow times, and scales cos and sin
// by 0.1 ln(factor) + 1; dynamic (NTK) keeps plain RoPE up to the original context and past it
// keeps the fastest pair while the slowest turns 1 / (factor L / original - (factor - 1)) as
// fast at call length L. And config.json's rope_scaling is read with errors naming the field.

import { describe, expect, it } from "vitest";
import { isRefuteError } from "../../core/errors.ts";
import { cpuKernels } from "../backends/cpu/kernels.ts";
import { gaussian } from "../backends/random-inputs.ts";
import { plainRopeFrequencies } from "../backends/rope-frequencies.ts";
import { loadHfDirectory, ZOO_DIR } from "../load.ts";
import { readGguf } from "../formats/gguf/read.ts";
import type { GgufValue } from "../formats/gguf/value.ts";
import { writeGguf } from "../formats/gguf/write.ts";
import { ggufFromSource, ROPE_FREQS, ROPE_SCALING_KEY } from "./gguf-export.ts";
import { sourceFromGguf } from "./gguf-import.ts";
import { architectureFromHfConfig } from "./config.ts";
import { ropeFrequencies, type RopeScaling, ropeScalingFromConfig } from "./rope-scaling.ts";

const HEAD = 128;
const THETA = 500000;
const plain = plainRopeFrequencies(HEAD, THETA).invFreq;
const wavelength = (f: number) => (2 * Math.PI) / f;

describe("linear", () => {
  it("rotates at position p as plain RoPE rotates at p / factor", () => {
    const freqs = ropeFrequencies(HEAD, THETA, { type: "linear", factor: 4 });
    const x = gaussian(2 * HEAD, 7);
    const [scaled, reference] = [x.slice(), x.slice()];
    cpuKernels.rope(scaled, 2, HEAD, 300, freqs);
    cpuKernels.rope(reference, 2, HEAD, 75, plainRopeFrequencies(HEAD, THETA));
    for (let i = 0; i < x.length; i++) expect(scaled[i]).toBeCloseTo(reference[i], 5);
  });
});

describe("llama3 (Llama 3.1's parameters)", () => {
  const s: RopeScaling = { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 };
  const scaled = ropeFrequencies(HEAD, THETA, s).invFreq;

  it("keeps short wavelengths, divides long ones by the factor, and blends between without a jump", () => {
    let kept = 0;
    let divided = 0;
    for (let i = 0; i < plain.length; i++) {
      if (wavelength(plain[i]) < 8192 / 4) {
        expect(scaled[i]).toBe(plain[i]);
        kept++;
      } else if (wavelength(plain[i]) > 8192 / 1) {
        expect(scaled[i]).toBeCloseTo(plain[i] / 8, 15);
        divided++;
      } else {
        expect(scaled[i]).toBeLessThanOrEqual(plain[i]);
        expect(scaled[i]).toBeGreaterThanOrEqual(plain[i] / 8);
      }
    }
    expect(kept).toBeGreaterThan(0);
    expect(divided).toBeGreaterThan(0);
    // the ratio scaled / plain falls monotonically from 1 to 1/8 along the pairs
    const ratios = [...scaled].map((f, i) => f / plain[i]);
    for (let i = 1; i < ratios.length; i++) expect(ratios[i]).toBeLessThanOrEqual(ratios[i - 1] + 1e-12);
  });
});

describe("yarn", () => {
  const base: Extract<RopeScaling, { type: "yarn" }> = { type: "yarn", factor: 4, originalMaxPositions: 4096, betaFast: 32, betaSlow: 1, attentionFactor: 0.1 * Math.log(4) + 1, truncate: false };

  it("the ramp's ends are where a pair turns beta_fast and beta_slow times over the original context", () => {
    const rotations = (d: number) => (4096 * Math.pow(THETA, (-2 * d) / HEAD)) / (2 * Math.PI);
    const scaled = ropeFrequencies(HEAD, THETA, base).invFreq;
    for (let i = 0; i < plain.length; i++) {
      if (rotations(i) > 32) expect(scaled[i]).toBeCloseTo(plain[i], 15);
      if (rotations(i) < 1) expect(scaled[i]).toBeCloseTo(plain[i] / 4, 15);
    }
    expect([...scaled].some((f, i) => rotations(i) > 32 && f === plain[i])).toBe(true);
    expect([...scaled].some((f, i) => rotations(i) < 1 && Math.abs(f - plain[i] / 4) < 1e-18)).toBe(true);
  });

  it("scales cos and sin by its attention factor: every head's norm grows by it", () => {
    const freqs = ropeFrequencies(HEAD, THETA, base);
    expect(freqs.attentionFactor).toBeCloseTo(1.1386294361, 9);
    const x = gaussian(HEAD, 3);
    const y = x.slice();
    cpuKernels.rope(y, 1, HEAD, 17, freqs);
    const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, a) => s + a * a, 0));
    expect(norm(y) / norm(x)).toBeCloseTo(freqs.attentionFactor, 5);
  });
});

describe("dynamic (NTK)", () => {
  const s: RopeScaling = { type: "dynamic", factor: 4, originalMaxPositions: 512 };

  it("is plain RoPE for calls up to the original context", () => {
    for (const length of [1, 300, 512]) expect([...ropeFrequencies(HEAD, THETA, s, length).invFreq]).toEqual([...plain]);
  });

  it("past it keeps the fastest pair and slows the slowest by factor L / original - (factor - 1)", () => {
    for (const length of [513, 1024, 2048]) {
      const scaled = ropeFrequencies(HEAD, THETA, s, length).invFreq;
      const slowdown = (4 * length) / 512 - 3;
      expect(scaled[0]).toBe(1);
      expect(plain[plain.length - 1] / scaled[scaled.length - 1]).toBeCloseTo(slowdown, 9);
      // every pair in between slows by less, the more the slower it turns
      for (let i = 1; i < plain.length; i++) expect(plain[i] / scaled[i]).toBeGreaterThan(plain[i - 1] / scaled[i - 1]);
    }
  });
});

describe("rope_scaling in config.json", () => {
  const read = (scaling: unknown, maxPositions = 1024) => ropeScalingFromConfig({ rope_scaling: scaling }, maxPositions, "config.json");
  const failure = (scaling: unknown) => {
    try {
      read(scaling);
    } catch (e) {
      return isRefuteError(e) ? { code: e.code, field: e.facts.field } : e;
    }
    return null;
  };

  it("reads each type, the older `type` key and the newer rope_parameters alike; none and default are plain", () => {
    expect(read({ type: "linear", factor: 2 })).toEqual({ type: "linear", factor: 2 });
    expect(ropeScalingFromConfig({ rope_parameters: { rope_type: "linear", factor: 2 } }, 1024, "config.json")).toEqual({ type: "linear", factor: 2 });
    expect(read(null)).toBeNull();
    expect(read({ rope_type: "default" })).toBeNull();
    expect(read({ rope_type: "yarn", factor: 4, original_max_position_embeddings: 256 })).toMatchObject({ betaFast: 32, betaSlow: 1, truncate: true, attentionFactor: 0.1 * Math.log(4) + 1 });
    // yarn without a factor scales from the original context to max_position_embeddings
    expect(read({ rope_type: "yarn", original_max_position_embeddings: 256 })).toMatchObject({ factor: 4 });
    // dynamic: max_position_embeddings is the original context, and the engine offers factor times it
    expect(read({ rope_type: "dynamic", factor: 2 })).toEqual({ type: "dynamic", factor: 2, originalMaxPositions: 1024 });
    expect(architectureFromHfConfig({ ...loadHfDirectory(`${ZOO_DIR}/tiny-llama`).config, rope_scaling: { rope_type: "dynamic", factor: 2 } }).maxPositions).toBe(1024);
  });

  it.each([
    [{ rope_type: "linear" }, "CONFIG_BAD_FIELD", "rope_scaling.factor"],
    [{ rope_type: "llama3", factor: 8, low_freq_factor: 4, high_freq_factor: 1, original_max_position_embeddings: 8192 }, "CONFIG_BAD_FIELD", "rope_scaling.high_freq_factor"],
    [{ rope_type: "yarn", factor: -1 }, "CONFIG_BAD_FIELD", "rope_scaling.factor"],
    [{ rope_type: "dynamic", factor: 0.5 }, "CONFIG_BAD_FIELD", "rope_scaling.factor"],
    [{ rope_type: "dynamic" }, "CONFIG_BAD_FIELD", "rope_scaling.factor"],
    [{ rope_type: "longrope" }, "UNSUPPORTED_ARCHITECTURE", "rope_scaling.type"],
    ["linear", "CONFIG_BAD_FIELD", "rope_scaling"],
  ])("refuses %j naming the field", (scaling, code, field) => {
    expect(failure(scaling)).toEqual({ code, field });
  });
});

describe("GGUF export of a RoPE-scaled model", () => {
  const source = loadHfDirectory(`${ZOO_DIR}/tiny-llama-rope-scaled`);
  const input = ggufFromSource(source, "tiny-llama-rope-scaled", "f32");

  it("writes llama3 as llama.cpp reads it (rope_freqs: plain / scaled per pair) and reads the same scaling back", () => {
    const freqs = input.tensors.find((t) => t.name === ROPE_FREQS)!;
    const factors = new Float32Array(freqs.data.slice().buffer);
    const plainF = ropeFrequencies(source.arch.headDim, source.arch.ropeTheta, null).invFreq;
    const scaledF = ropeFrequencies(source.arch.headDim, source.arch.ropeTheta, source.arch.ropeScaling).invFreq;
    // pairs of short wavelength keep factor 1, the longest are divided by the factor 4
    expect(factors[0]).toBe(1);
    expect(factors[factors.length - 1]).toBeCloseTo(4, 5);
    factors.forEach((f, i) => expect(f).toBeCloseTo(plainF[i] / scaledF[i], 5));
    const back = sourceFromGguf(readGguf(writeGguf(input)), []);
    expect(back.arch.ropeScaling).toEqual(source.arch.ropeScaling);
    expect(back.arch.maxPositions).toBe(2048);
    expect(back.tensors.has(ROPE_FREQS)).toBe(false);
  });

  const codeOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return isRefuteError(e) ? e.code : String(e);
    }
    return null;
  };

  it("refuses factors without the rope_scaling they came from, and factors that disagree with it", () => {
    const withoutKey = { ...input, metadata: [...input.metadata].filter(([k]) => k !== ROPE_SCALING_KEY) };
    expect(codeOf(() => sourceFromGguf(readGguf(writeGguf(withoutKey)), []))).toBe("GGUF_UNSUPPORTED_ROPE");
    const flat = Float32Array.from({ length: source.arch.headDim / 2 }, () => 1);
    const wrong = { ...input, tensors: input.tensors.map((t) => (t.name === ROPE_FREQS ? { ...t, data: new Uint8Array(flat.buffer) } : t)) };
    expect(codeOf(() => sourceFromGguf(readGguf(writeGguf(wrong)), []))).toBe("GGUF_UNSUPPORTED_ROPE");
  });

  it.each([
    [{ rope_type: "linear", factor: 2 }],
    [{ rope_type: "yarn", factor: 4, original_max_position_embeddings: 512 }],
    [{ rope_type: "yarn", factor: 4, original_max_position_embeddings: 512, beta_fast: 16, beta_slow: 2, attention_factor: 1.3 }],
  ])("writes %j as llama.cpp's rope.scaling keys and reads back the same scaling, from refute.rope_scaling and from the keys alone", (rope) => {
    const config = { ...source.config, max_position_embeddings: 2048, rope_scaling: rope };
    const arch = architectureFromHfConfig(config);
    const scaled = ggufFromSource({ ...source, config, arch }, "x", "f32");
    const keys = Object.fromEntries([...scaled.metadata].filter(([k]) => k.startsWith("llama.rope.scaling.")).map(([k, v]) => [k.slice("llama.rope.scaling.".length), (v as { value: unknown }).value]));
    expect(keys.type).toBe(rope.rope_type);
    expect(scaled.tensors.some((t) => t.name === ROPE_FREQS)).toBe(false);
    expect(sourceFromGguf(readGguf(writeGguf(scaled)), []).arch.ropeScaling).toEqual(arch.ropeScaling);
    const foreign = { ...scaled, metadata: [...scaled.metadata].filter(([k]) => k !== ROPE_SCALING_KEY) };
    const back = sourceFromGguf(readGguf(writeGguf(foreign)), []).arch.ropeScaling as RopeScaling & { factor: number };
    expect(back.type).toBe(arch.ropeScaling?.type);
    expect(back.factor).toBeCloseTo((arch.ropeScaling as { factor: number }).factor, 6);
    if (back.type === "yarn" && arch.ropeScaling?.type === "yarn") expect(back.attentionFactor).toBeCloseTo(arch.ropeScaling.attentionFactor, 6);
  });

  it("writes dynamic as refute.rope_scaling alone (llama.cpp has no such type) with the original context, and reads it back", () => {
    const dynamic = loadHfDirectory(`${ZOO_DIR}/tiny-llama-rope-dynamic`);
    const exported = ggufFromSource(dynamic, "tiny-llama-rope-dynamic", "f32");
    const metadata = new Map(exported.metadata);
    expect([...metadata.keys()].filter((k) => k.startsWith("llama.rope.scaling."))).toEqual([]);
    expect(metadata.get("llama.context_length")).toEqual({ type: "u32", value: 512 });
    const back = sourceFromGguf(readGguf(writeGguf(exported)), []);
    expect(back.arch.ropeScaling).toEqual({ type: "dynamic", factor: 4, originalMaxPositions: 512 });
    expect(back.arch.maxPositions).toBe(2048);
  });

  it("refuses a GGUF whose rope.scaling keys disagree with refute.rope_scaling, and yarn without truncation", () => {
    const config = { ...source.config, max_position_embeddings: 2048, rope_scaling: { rope_type: "linear", factor: 2 } };
    const scaled = ggufFromSource({ ...source, config, arch: architectureFromHfConfig(config) }, "x", "f32");
    const lying = { ...scaled, metadata: [...scaled.metadata].map(([k, v]): [string, GgufValue] => (k === "llama.rope.scaling.factor" ? [k, { type: "f32", value: 3 }] : [k, v])) };
    expect(codeOf(() => sourceFromGguf(readGguf(writeGguf(lying)), []))).toBe("GGUF_UNSUPPORTED_ROPE");
    const untruncated = { type: "yarn", factor: 4, originalMaxPositions: 512, betaFast: 32, betaSlow: 1, attentionFactor: 1.1, truncate: false } as RopeScaling;
    expect(codeOf(() => ggufFromSource({ ...source, arch: { ...source.arch, ropeScaling: untruncated } }, "x", "f32"))).toBe("GGUF_EXPORT_ROPE_SCALING");
  });
});
