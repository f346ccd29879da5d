// Subjects whose models are one (SafeTensors and the native format round-trip a zoo model
// exactly: one source fingerprint) share the embedded runtime's generations, scorings and
// perplexities: the shared value is the one the second subject computes alone, the hooks the
// computation read are recorded for both, and a model that differs (GGUF stores the norm
// epsilon in float32) computes its own.

import { describe, expect, it, vi } from "vitest";
import { HookReads, hookSubjectKey } from "../../core/hook-reads.ts";
import { prepareSource } from "../../engine/convert.ts";
import { EngineModel } from "../../engine/model.ts";
import { sourceFingerprint } from "../../engine/model-fingerprint.ts";
import { EmbeddedRuntime } from "../../runtimes/embedded.ts";
import type { SubjectSpec } from "../../runtimes/runtime.ts";

const subject = (format: string): SubjectSpec => ({ model: "tiny-llama", format, quant: "f32", backend: "cpu-ts", runtime: "embedded" });
const TEXT = "The capital of France is Paris. The capital of Italy is Rome. ".repeat(4);

describe("computations shared by subjects with one model", () => {
  it("fingerprints: SafeTensors and native agree, GGUF differs (its float32 norm epsilon)", () => {
    const [safetensors, native, gguf] = ["safetensors", "native", "gguf"].map((f) => sourceFingerprint(prepareSource("tiny-llama", f, "f32")));
    expect(native).toBe(safetensors);
    expect(gguf).not.toBe(safetensors);
  });

  it("the native subject gets what it computes alone, and the hooks the shared computation read are recorded for it", async () => {
    const reads = new HookReads();
    const shared = new EmbeddedRuntime({ threads: 1, hookReads: reads });
    const computedPerplexities = vi.spyOn(EngineModel.prototype, "perplexity");
    await shared.perplexity(subject("safetensors"), TEXT, 32, 16);
    const generated = await shared.generate(subject("safetensors"), "The capital of France is", 6);
    const sharedPerplexity = await shared.perplexity(subject("native"), TEXT, 32, 16);
    const sharedGeneration = await shared.generate(subject("native"), "The capital of France is", 6);
    expect(computedPerplexities).toHaveBeenCalledTimes(1);
    await shared.perplexity(subject("gguf"), TEXT, 32, 16); // its own model: computed
    expect(computedPerplexities).toHaveBeenCalledTimes(2);
    computedPerplexities.mockRestore();
    expect(sharedGeneration).toEqual(generated);
    const alone = new EmbeddedRuntime({ threads: 1 });
    expect(await alone.perplexity(subject("native"), TEXT, 32, 16)).toEqual(sharedPerplexity);
    expect(await alone.generate(subject("native"), "The capital of France is", 6)).toEqual(sharedGeneration);
    const record = reads.toRecord().reads;
    const of = (format: string) => record[hookSubjectKey(subject(format))];
    expect(of("native").perplexity).toEqual(of("safetensors").perplexity);
    expect(of("native").generate).toEqual(of("safetensors").generate);
    expect(of("native").perplexity).toContain("ropePositionOffset"); // a session's hook, read in the computation itself
  });
});
