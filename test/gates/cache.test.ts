// The per-run cache: one computation per key, shared by concurrent callers, failures
// remembered, everything that can change a generation part of its key; the model-file tool
// handed out only with its capability, its failures naming the subject and the call.

import { describe, expect, it } from "vitest";
import { SubjectCache, SubjectError, generationKey } from "../../gates/cache.ts";
import type { SubjectSpec } from "../../runtimes/runtime.ts";
import { FakeModelFileTool } from "../measures/fake-model-file-tool.ts";
import { FakeRuntime } from "./fake-runtime.ts";
import { PROMPTS } from "./fixtures/make-oracle.ts";

const spec: SubjectSpec = { model: "tiny-llama", format: "native", quant: "q8_0", backend: "cpu", runtime: "embedded" };
const code = { name: "code", text: PROMPTS.code };

describe("SubjectCache", () => {
  it("computes a key once for concurrent callers and returns the same generation", async () => {
    const runtime = new FakeRuntime("embedded", { delayMs: 10 });
    let made = 0;
    const cache = new SubjectCache(() => (made++, runtime));
    const results = await Promise.all([cache.generate(spec, code, 32), cache.generate(spec, code, 32), cache.generate({ ...spec }, code, 32)]);
    expect(runtime.calls).toHaveLength(1);
    expect(results[1]).toBe(results[0]);
    expect(made).toBe(1);
  });

  it("keys by every field that can change a generation: fault, quant, backend, prompt, settings", async () => {
    const runtime = new FakeRuntime("embedded");
    const cache = new SubjectCache(() => runtime);
    const variants: Array<[SubjectSpec, string, number]> = [
      [spec, PROMPTS.code, 32],
      [{ ...spec, inject: "rope-position-off-by-one" }, PROMPTS.code, 32],
      [{ ...spec, quant: "q4_0" }, PROMPTS.code, 32],
      [{ ...spec, backend: "cuda" }, PROMPTS.code, 32],
      [{ ...spec, format: "roundtrip" }, PROMPTS.code, 32],
      [{ ...spec, model: "tiny-gpt2" }, PROMPTS.code, 32],
      [spec, PROMPTS.greeting, 32],
      [spec, PROMPTS.code, 16],
    ];
    expect(new Set(variants.map(([s, p, n]) => generationKey(s, p, n))).size).toBe(variants.length);
    for (const [s, p, n] of variants) await cache.generate(s, { name: "x", text: p }, n);
    for (const [s, p, n] of variants) await cache.generate(s, { name: "x", text: p }, n);
    expect(runtime.calls).toHaveLength(variants.length);
  });

  it("remembers a failure: a broken subject is asked once, and the error says which subject", async () => {
    const runtime = new FakeRuntime("embedded", { fail: () => new Error("segfault in matmul") });
    const cache = new SubjectCache(() => runtime);
    const first = await cache.generate(spec, code, 32).catch((e) => e);
    const second = await cache.generate(spec, code, 32).catch((e) => e);
    expect(second).toBe(first);
    expect(first).toBeInstanceOf(SubjectError);
    expect(first.message).toBe("tiny-llama native q8_0 cpu embedded prompt=code: segfault in matmul");
    expect(runtime.calls).toHaveLength(1);
  });

  it("closes each runtime it started and reports close failures instead of throwing", async () => {
    const good = new FakeRuntime("embedded");
    const bad = new FakeRuntime("http");
    bad.close = async () => {
      throw new Error("socket hang up");
    };
    const cache = new SubjectCache((name) => (name === "http" ? bad : good));
    await cache.generate(spec, code, 32);
    await cache.generate({ ...spec, runtime: "http" }, code, 32);
    expect(await cache.close()).toEqual(["runtime 'http' failed to close: socket hang up"]);
    expect(good.closed).toBe(true);
  });

  it("hands out the model-file tool only with its capability, and a failing call names the subject and the call", async () => {
    const refused = await new SubjectCache(() => new FakeRuntime("embedded")).modelFiles(spec).catch((e) => e);
    expect(refused).toBeInstanceOf(SubjectError);
    expect(refused.message).toBe("tiny-llama native q8_0 cpu embedded model files: runtime embedded lacks capability 'model-files'");
    const capable = Object.assign(new FakeRuntime("embedded"), { capabilities: new Set(["model-files"]), modelFiles: async () => new FakeModelFileTool() });
    const tool = await new SubjectCache(() => capable).modelFiles(spec);
    expect(await tool.mixedQuantWarning({ format: "native", quant: "q8_0" }, { format: "native", quant: "q8_0" })).toBeNull();
    const failure = await tool.checkpointTensor("lm_head.weight").catch((e) => e);
    expect(failure).toBeInstanceOf(SubjectError);
    expect(failure.message).toBe("tiny-llama native q8_0 cpu embedded model files checkpointTensor: no checkpoint tensor lm_head.weight");
  });
});
