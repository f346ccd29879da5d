// The engine reads a hook only where it can act, since the teeth run reruns under a fault only
// what read one of its hooks clean (core/hook-reads.ts). For each hook read lazily: a clean
// computation where it cannot act does not read it, one where it can does, and setting it
// where it was not read changes nothing (the outputs are those of the clean engine, bit for bit).

import { describe, expect, it } from "vitest";
import { recordingHooks } from "../core/hook-reads.ts";
import { cpuKernels } from "./backends/cpu/kernels.ts";
import { prepareSource } from "./convert.ts";
import { type EngineHooks, KV_WRAP_MIN, NO_HOOKS } from "./hooks.ts";
import { EngineModel } from "./model.ts";

/** The zoo model loaded as safetensors f32 through `hooks`, and the names of the hooks read so far. */
function load(slug: string, hooks: EngineHooks = NO_HOOKS) {
  const reads = new Set<string>();
  const recorded = recordingHooks(hooks, (h) => reads.add(h));
  const model = new EngineModel(prepareSource(slug, "safetensors", "f32", recorded), cpuKernels, recorded);
  return { model, reads };
}

/** The logits after each of `n` tokens of a fixed sequence, from position 0. */
function logitsOver(model: EngineModel, n: number): Float32Array[] {
  const session = model.session(n);
  const tokens = Array.from({ length: n }, (_, i) => (i * 37 + 11) % model.arch.vocabSize);
  return tokens.map((t) => (session.step(t) as Float32Array).slice());
}

describe("hooks are read where they can act", () => {
  it("kvPositionWrap: not read by a session that stays below KV_WRAP_MIN positions (a ring of at least that many changes nothing there); read past it, where the ring acts", () => {
    const clean = load("tiny-llama");
    const short = logitsOver(clean.model, KV_WRAP_MIN - 1);
    expect(clean.reads.has("kvPositionWrap")).toBe(false);
    const wrapped = load("tiny-llama", { kvPositionWrap: KV_WRAP_MIN });
    expect(logitsOver(wrapped.model, KV_WRAP_MIN - 1)).toEqual(short);
    logitsOver(clean.model, KV_WRAP_MIN + 8);
    expect(clean.reads.has("kvPositionWrap")).toBe(true);
    expect(logitsOver(wrapped.model, KV_WRAP_MIN + 8).at(-1)).not.toEqual(logitsOver(clean.model, KV_WRAP_MIN + 8).at(-1));
  });

  it("kvPositionWrap below KV_WRAP_MIN is refused with its code when it would be read", () => {
    const { model } = load("tiny-llama", { kvPositionWrap: 16 });
    expect(() => logitsOver(model, KV_WRAP_MIN + 1)).toThrow(expect.objectContaining({ code: "BAD_HOOK" }));
  });

  it("ropeScalingIgnored: not read for a model without rope_scaling; read, and acting, for one with it", () => {
    const plain = load("tiny-llama");
    const logits = logitsOver(plain.model, 8);
    expect(plain.reads.has("ropeScalingIgnored")).toBe(false);
    expect(logitsOver(load("tiny-llama", { ropeScalingIgnored: true }).model, 8)).toEqual(logits);
    const scaled = load("tiny-llama-rope-scaled");
    const scaledLogits = logitsOver(scaled.model, 8);
    expect(scaled.reads.has("ropeScalingIgnored")).toBe(true);
    expect(logitsOver(load("tiny-llama-rope-scaled", { ropeScalingIgnored: true }).model, 8)).not.toEqual(scaledLogits);
  });

  it("skipConv1dTranspose: read only by a family with Conv1D weights (GPT-2)", () => {
    expect(load("tiny-llama").reads.has("skipConv1dTranspose")).toBe(false);
    expect(load("tiny-qwen2").reads.has("skipConv1dTranspose")).toBe(false);
    expect(load("tiny-gpt2").reads.has("skipConv1dTranspose")).toBe(true);
  });

  it("spmNoSpacePrefix: read only by a tokenizer that puts a space prefix (a Prepend normalizer or SentencePiece's add_space_prefix)", () => {
    for (const slug of ["tiny-llama", "tiny-qwen2", "tiny-gpt2"]) expect(load(slug).reads.has("spmNoSpacePrefix"), slug).toBe(false);
    expect(load("tiny-llama-spm").reads.has("spmNoSpacePrefix")).toBe(true);
  });

  it("eosIgnored: read only when an end token comes; a generation that meets none is the same with it", () => {
    const { model, reads } = load("tiny-llama");
    const prompt = model.encodePrompt("The capital of France is");
    const clean = model.generateTokens(prompt, 6);
    expect(clean.finishReason).toBe("length");
    expect(reads.has("eosIgnored")).toBe(false);
    expect(load("tiny-llama", { eosIgnored: true }).model.generateTokens(prompt, 6)).toEqual(clean);
    expect(model.endTokens.has(model.arch.eosTokenId as number)).toBe(true);
    expect(reads.has("eosIgnored")).toBe(true);
    expect(load("tiny-llama", { eosIgnored: true }).model.endTokens.has(model.arch.eosTokenId as number)).toBe(false);
  });
});
