// RoPE scaling in a GGUF as llama.cpp reads it. llama3 (Llama 3.1) is a rope_freqs tensor of
// per-pair factors; linear and yarn are the <arch>.rope.scaling.* keys: type, factor,
// original_context_length, yarn_beta_fast/slow, and attn_factor where the config's yarn
// attention factor is not llama.cpp's default (0.1 ln(factor) + 1, which llama.cpp applies
// itself). refute also keeps the config's rope_scaling (refute.rope_scaling) to read it back
// exactly; a foreign GGUF without it is read from llama.cpp's keys. Dynamic (NTK) scaling has
// no llama.cpp type (its rope.scaling.type values are none, linear, yarn and longrope, and an
// unknown one aborts the loader), so only refute.rope_scaling carries it: llama.cpp would run
// such a file with plain RoPE, and the llama.cpp runtimes refuse it (runtimes/model-file.ts).

import { RefuteError } from "../../core/errors.ts";
import { metadataString } from "../formats/gguf/metadata.ts";
import type { GgufFile } from "../formats/gguf/read.ts";
import type { GgufValue } from "../formats/gguf/value.ts";
import { type RopeScaling, ropeScalingFromConfig } from "./rope-scaling.ts";

const f32 = (value: number): GgufValue => ({ type: "f32", value });

/** llama.cpp's own yarn attention factor: what it applies when attn_factor is 1. */
const llamaCppYarnMscale = (factor: number) => 0.1 * Math.log(factor) + 1;

/** The <arch>.rope.scaling.* keys of a linear or yarn scaling; none for llama3 (its factors are a tensor), dynamic or none. */
export function ropeScalingKeys(architecture: string, scaling: RopeScaling | null): [string, GgufValue][] {
  const key = (name: string) => `${architecture}.rope.scaling.${name}`;
  if (!scaling || scaling.type === "llama3" || scaling.type === "dynamic") return [];
  if (scaling.type === "linear") return [[key("type"), { type: "string", value: "linear" }], [key("factor"), f32(scaling.factor)]];
  // llama.cpp always rounds the correction range outward, as transformers' truncate: true does
  if (!scaling.truncate) throw new RefuteError("GGUF_EXPORT_ROPE_SCALING", "GGUF export: yarn with truncate: false has no llama.cpp equivalent (llama.cpp always rounds the correction range outward)", { found: "truncate" });
  const keys: [string, GgufValue][] = [
    [key("type"), { type: "string", value: "yarn" }],
    [key("factor"), f32(scaling.factor)],
    [key("original_context_length"), { type: "u32", value: scaling.originalMaxPositions }],
    [key("yarn_beta_fast"), f32(scaling.betaFast)],
    [key("yarn_beta_slow"), f32(scaling.betaSlow)],
  ];
  const relative = scaling.attentionFactor / llamaCppYarnMscale(scaling.factor);
  if (Math.abs(relative - 1) > 1e-7) keys.push([key("attn_factor"), f32(relative)]);
  return keys;
}

function number(file: GgufFile, key: string): number | null {
  const v = file.metadata.get(key);
  if (v === undefined) return null;
  if (typeof v.value !== "number") throw new RefuteError("GGUF_METADATA_TYPE", `GGUF: ${key} must be a number`, { field: key });
  return v.value;
}

/** A config rope_scaling from llama.cpp's keys (a GGUF refute did not write); null for none. */
export function ropeScalingFromKeys(file: GgufFile, architecture: string): Record<string, unknown> | null {
  const key = (name: string) => `${architecture}.rope.scaling.${name}`;
  if (!file.metadata.has(key("type"))) return null;
  const type = metadataString(file.metadata, key("type"));
  if (type === "none") return null;
  const factor = number(file, key("factor"));
  if (factor === null || !(factor > 0)) throw new RefuteError("GGUF_UNSUPPORTED_ROPE", `GGUF: ${key("type")} is ${type} but ${key("factor")} is missing or not positive`, { field: key("factor") });
  if (type === "linear") return { rope_type: "linear", factor };
  if (type !== "yarn") throw new RefuteError("GGUF_UNSUPPORTED_ROPE", `GGUF: RoPE scaling ${JSON.stringify(type)} is not one refute runs (linear, yarn; llama3 as rope_freqs)`, { field: key("type"), found: type });
  const original = number(file, key("original_context_length"));
  if (original === null) throw new RefuteError("GGUF_UNSUPPORTED_ROPE", `GGUF: yarn scaling without ${key("original_context_length")}`, { field: key("original_context_length") });
  const relative = number(file, key("attn_factor")) ?? 1;
  return {
    rope_type: "yarn",
    factor,
    original_max_position_embeddings: original,
    beta_fast: number(file, key("yarn_beta_fast")) ?? 32,
    beta_slow: number(file, key("yarn_beta_slow")) ?? 1,
    attention_factor: relative * llamaCppYarnMscale(factor),
  };
}

/** A GGUF whose llama.cpp keys say another scaling than refute.rope_scaling runs differently in llama.cpp and in refute: refused. */
export function checkRopeKeys(file: GgufFile, architecture: string, scaling: RopeScaling | null, maxPositions: number): void {
  const fromKeys = ropeScalingFromKeys(file, architecture);
  if (!fromKeys) return;
  const theirs = ropeScalingFromConfig({ rope_scaling: fromKeys }, maxPositions, "GGUF rope.scaling keys");
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  const same =
    theirs !== null &&
    scaling !== null &&
    theirs.type === scaling.type &&
    close(theirs.factor, scaling.factor) &&
    (theirs.type !== "yarn" || (scaling.type === "yarn" && theirs.originalMaxPositions === scaling.originalMaxPositions && close(theirs.betaFast, scaling.betaFast) && close(theirs.betaSlow, scaling.betaSlow) && close(theirs.attentionFactor, scaling.attentionFactor)));
  if (!same) throw new RefuteError("GGUF_UNSUPPORTED_ROPE", `GGUF: the ${architecture}.rope.scaling keys say ${JSON.stringify(fromKeys)} but refute.rope_scaling says ${JSON.stringify(scaling)}: llama.cpp and refute would run different models`, { field: `${architecture}.rope.scaling.type` });
}
