// The llama.cpp adapter against the engine on tiny random models the engine exported: the
// same greedy tokens, the same log-probs and perplexity to float rounding, and blocked (not
// crashed) where it cannot run.

import { afterAll, describe, expect, it } from "vitest";
import { EmbeddedRuntime } from "../../runtimes/embedded.ts";
import { LlamacppRuntime, openLlama } from "../../runtimes/llamacpp.ts";
import { BlockedError, type Quant, type RuntimeName, type SubjectSpec } from "../../runtimes/runtime.ts";
import { tinyGguf } from "./tiny-model.ts";

const llamacpp = new LlamacppRuntime();
const embedded = new EmbeddedRuntime();
afterAll(() => llamacpp.close());

const spec = (runtime: RuntimeName, quant: Quant = "f32", family: "llama" | "qwen2" = "llama"): SubjectSpec => ({
  model: tinyGguf(family, quant as "f32"),
  format: "gguf",
  quant,
  backend: "cpu",
  runtime,
});
const PROMPT = "Once upon a time, there was";

describe("llamacpp runtime", () => {
  it.each([
    ["llama", "f32"],
    ["llama", "q8_0"],
    ["llama", "q4_0"],
    ["qwen2", "q8_0"],
  ] as const)("generates exactly N greedy tokens, equal to the engine's on the same GGUF (%s %s)", async (family, quant) => {
    const mine = await llamacpp.generate(spec("llamacpp", quant, family), PROMPT, 20);
    const engine = await embedded.generate(spec("embedded", quant, family), PROMPT, 20);
    expect(mine.tokens).toHaveLength(20);
    expect(mine.promptTokens).toEqual(engine.promptTokens);
    expect(mine.tokens).toEqual(engine.tokens);
    expect(mine.text).toBe(engine.text);
    expect(mine.topk).toHaveLength(20);
    expect(mine.topk.map((s) => s[0].token)).toEqual(mine.tokens); // the scoring pass agrees with evaluate's greedy choice
  });

  it("stops after an end-of-generation token (it included, finish reason stop), as the engine and the oracle do", async () => {
    // A model whose EOS is the very token greedy decoding picks second.
    const [, second] = (await embedded.generate(spec("embedded"), PROMPT, 2)).tokens;
    const model = tinyGguf("llama", "f32", { eos_token_id: second });
    const at = (runtime: RuntimeName): SubjectSpec => ({ ...spec(runtime), model });
    const mine = await llamacpp.generate(at("llamacpp"), PROMPT, 12);
    const engine = await embedded.generate(at("embedded"), PROMPT, 12);
    expect(mine.tokens).toHaveLength(2);
    expect(mine.tokens[1]).toBe(second);
    expect(mine.finishReason).toBe("stop");
    expect(engine.tokens).toEqual(mine.tokens);
    expect(engine.finishReason).toBe("stop");
  });

  it("scores forced tokens with the engine's log-probs (f32, to 1e-4) and reports requested candidates", async () => {
    const forced = [5, 300, 17, 900];
    const options = { topK: 5, candidates: [[1, 2], [], [17], [0]] };
    const mine = await llamacpp.score(spec("llamacpp"), PROMPT, forced, options);
    const engine = await embedded.score(spec("embedded"), PROMPT, forced, options);
    expect(mine.steps.map((s) => s.token)).toEqual(forced);
    mine.steps.forEach((s, i) => {
      expect(s.logprob).toBeCloseTo(engine.steps[i].logprob, 4);
      expect(s.topk.map((e) => e.token)).toEqual(engine.steps[i].topk.map((e) => e.token));
      expect(s.candidates).toHaveLength(options.candidates[i].length);
      s.candidates!.forEach((c, j) => expect(c!).toBeCloseTo(engine.steps[i].candidates![j]!, 4));
    });
    expect(mine.steps[2].candidates![0]).toBe(mine.steps[2].logprob);
  });

  it("computes sliding-window perplexity as the engine does", async () => {
    const text = "the cat sat on the mat and the dog sat on the log. ".repeat(8);
    const mine = await llamacpp.perplexity(spec("llamacpp"), text, 32, 16);
    const engine = await embedded.perplexity(spec("embedded"), text, 32, 16);
    expect(mine.tokensScored).toBe(engine.tokensScored);
    expect(mine.perplexity / engine.perplexity).toBeCloseTo(1, 5);
  });

  it("tokenizes with llama.cpp's own tokenizer, which agrees with the engine's on plain text", async () => {
    for (const text of [PROMPT, "def add(a, b):\n    return a + b", "  spaces  and 123 numbers!"]) {
      expect(await llamacpp.tokenize(spec("llamacpp"), text)).toEqual(await embedded.tokenize(spec("embedded"), text));
    }
  });

  it("times pp and tg with one sample per repetition on one thread", async () => {
    for (const kind of ["pp", "tg"] as const) {
      const r = await llamacpp.benchmark(spec("llamacpp"), { kind, tokens: 8, reps: 2, warmup: 0 });
      expect(r.samplesMs).toHaveLength(2);
      expect(r.samplesMs.every((ms) => ms > 0)).toBe(true);
      expect(r.threads).toBe(1);
    }
  });

  it("is blocked, with the reason, for a missing file, a format it cannot read, and injected faults", async () => {
    const missing = { ...spec("llamacpp"), model: "/nonexistent/model.gguf" };
    await expect(llamacpp.generate(missing, PROMPT, 2)).rejects.toThrow(BlockedError);
    await expect(llamacpp.generate(missing, PROMPT, 2)).rejects.toThrow(/could not load \/nonexistent\/model.gguf/);
    await expect(llamacpp.generate({ ...spec("llamacpp"), model: "tiny-llama", format: "native" }, PROMPT, 2)).rejects.toThrow(/reads GGUF files only/);
    await expect(llamacpp.generate({ ...spec("llamacpp"), inject: "q8-scale-bf16" }, PROMPT, 2)).rejects.toThrow(BlockedError);
  });

  it("is blocked for a model with dynamic RoPE, which llama.cpp would run as plain RoPE, and runs the same weights without it", async () => {
    const dynamic = { ...spec("llamacpp"), model: "tiny-llama-rope-dynamic" };
    await expect(llamacpp.generate(dynamic, PROMPT, 2)).rejects.toThrow(BlockedError);
    await expect(llamacpp.generate(dynamic, PROMPT, 2)).rejects.toThrow(/dynamic \(NTK\) has no llama.cpp equivalent/);
    expect((await llamacpp.generate({ ...dynamic, model: "tiny-llama" }, PROMPT, 2)).tokens).toHaveLength(2);
  });

  it("is blocked, not crashed, when node-llama-cpp or its binary is missing", async () => {
    const missing = openLlama(() => Promise.reject(new Error("Cannot find package 'node-llama-cpp'")));
    await expect(missing).rejects.toThrow(BlockedError);
    await expect(openLlama(() => Promise.reject(new Error("x")))).rejects.toThrow(/node-llama-cpp is not installed/);
    const noBinary = { LlamaLogLevel: { error: "error" }, getLlama: () => Promise.reject(new Error("No prebuilt binary found")) } as never;
    await expect(openLlama(async () => noBinary)).rejects.toThrow(`found no usable prebuilt binary for ${process.platform}-${process.arch} (No prebuilt binary found)`);
    await expect(openLlama(async () => noBinary, "cuda")).rejects.toThrow(/no usable CUDA build \(npm @node-llama-cpp\/linux-x64-cuda/);
  });
});
