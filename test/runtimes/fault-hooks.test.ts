// The mapping from the fault catalogue to engine hooks (runtimes/fault-hooks.ts): it covers
// every fault, each with hooks of its own and none for the clean engine, and every fault
// reaches its code: through the engine calls the embedded runtime makes, each changes what
// the engine computes (the converted weights, the prompt's tokens, the log-probabilities of a
// generation with a float or an int8 KV cache, a kernel's output, a SentencePiece
// vocabulary's tokens, a chat template's render, or a RoPE-scaled model's generation).

import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { isRefuteError } from "../../core/errors.ts";
import { FAULT_NAMES } from "../../core/faults.ts";
import { cpuKernels } from "../../engine/backends/cpu/kernels.ts";
import { prepareSource } from "../../engine/convert.ts";
import { hookedKernels, NO_HOOKS, type EngineHooks } from "../../engine/hooks.ts";
import type { ModelSource } from "../../engine/load.ts";
import { EngineModel } from "../../engine/model.ts";
import { FAULT_HOOKS, type FaultHooks, hooksFor } from "../../runtimes/fault-hooks.ts";
import type { ServeHooks } from "../../serve/serve-hooks.ts";
import { createServingServer, listen } from "../../serve/server.ts";
import { llamaVocabulary } from "../../core/llama-vocabularies.ts";
import { openTokenizer } from "../../engine/open-tokenizer.ts";

const INT8 = { bits: 8, groupSize: 32, sparsity: 0 } as const;

function digest(source: ModelSource): string {
  const hash = createHash("sha256").update(JSON.stringify(source.arch));
  for (const [name, t] of source.tensors) hash.update(`${name} ${t.dtype} ${t.shape}`).update(t.data);
  return hash.digest("hex");
}

/** The weights a conversion gives, or the error code it stops with. */
function converted(model: string, format: string, quant: string, hooks: EngineHooks): string {
  try {
    return digest(prepareSource(model, format, quant, hooks));
  } catch (e) {
    if (isRefuteError(e)) return e.code;
    throw e;
  }
}

/** What refute serve answers with the serving hooks: a streamed chat whose answer splits characters across tokens, two requests at once, logprobs, a stop string, max_tokens, a seeded sample. */
async function served(model: EngineModel, hooks: ServeHooks | undefined): Promise<unknown[]> {
  const server = createServingServer([{ name: "m", model, hooks }]);
  const { port } = await listen(server, 0, "127.0.0.1");
  const post = async (body: Record<string, unknown>) => {
    const path = body.messages ? "/v1/chat/completions" : "/v1/completions";
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", body: JSON.stringify({ temperature: 0, max_tokens: 8, ...body }) });
    if (r.headers.get("content-type") !== "text/event-stream") return ((await r.json()) as { choices: unknown[] }).choices[0];
    // the streamed deltas, without the ids and timestamps that differ from run to run
    const events = (await r.text()).split("\n").filter((l) => l.startsWith("data: {"));
    return events.map((l) => (JSON.parse(l.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0].delta.content);
  };
  try {
    return [
      await post({ messages: [{ role: "user", content: "How do people greet in 서울?" }], max_tokens: 64, stream: true }),
      await Promise.all([post({ prompt: "The capital of France is", max_tokens: 16 }), post({ prompt: "Hello, my name is", max_tokens: 16 })]),
      await post({ prompt: "The capital of France is", logprobs: 2 }),
      await post({ prompt: "The capital of France is", stop: ["."] }),
      await post({ prompt: "The capital of France is", max_tokens: 3 }),
      await post({ prompt: "The capital of France is", temperature: 2, seed: 1, max_tokens: 64 }),
    ];
  } finally {
    server.close();
  }
}

/** What the engine computes with `hooks`: conversions of three families, then a clean model run through the hooked engine. */
function observe(hooks: FaultHooks): Record<string, unknown> {
  const model = new EngineModel(prepareSource("tiny-qwen2", "native", "f32"), cpuKernels, hooks);
  const prompt = "12 + 30 is"; // " is" needs the first merge, "Ġ i"
  const softmax = Float32Array.of(100, 0, -100);
  hookedKernels(cpuKernels, hooks).softmax(softmax, softmax.length);
  return {
    gpt2: converted("tiny-gpt2", "safetensors", "f32", hooks),
    qwen2q4: converted("tiny-qwen2", "native", "q4_0", hooks),
    llamaGguf: converted("tiny-llama", "gguf", "q8_0", hooks),
    promptTokens: model.encodePrompt(prompt),
    float: model.generate(prompt, 3, 3, null).topk,
    int8: model.generate(prompt, 3, 3, INT8).topk,
    int8Sparse: model.generate(prompt, 3, 3, { ...INT8, sparsity: 0.25 }).topk,
    softmax: [...softmax],
    // a SentencePiece vocabulary (llama.cpp's llama-spm): its leading space and a character it spells in bytes
    spm: openTokenizer(llamaVocabulary("llama-vocab:llama-spm").gguf, hooks).encode("Hello \u{1F999} world"),
    chat: model.renderChat([{ role: "user", content: "Hello" }], true),
    ropeScaled: new EngineModel(prepareSource("tiny-llama-rope-scaled", "native", "f32"), cpuKernels, hooks).generate(prompt, 3, 3, null).topk,
    // past 128 positions (the KV ring's size), a chat answer with characters split across tokens, a chat the model ends
    long: model.generate("Paris is the capital of France.\n".repeat(20), 2, 3, null).topk,
    utf8: model.generate(model.renderChat([{ role: "user", content: "How do people greet in 서울?" }], true) ?? "", 64, 1, null).text,
    chatEnd: model.generate(model.renderChat([{ role: "user", content: "What is the capital of Japan?" }], true) ?? "", 64, 1, null).tokens.length,
  };
}

describe("hooksFor", () => {
  it("maps every fault of the catalogue, and no other name", () => {
    expect(Object.keys(FAULT_HOOKS).sort()).toEqual([...FAULT_NAMES].sort());
  });

  it("gives the clean engine no hook, and every fault at least one", () => {
    expect(hooksFor(null)).toBe(NO_HOOKS);
    expect(Object.keys(NO_HOOKS)).toEqual([]);
    for (const fault of FAULT_NAMES) expect(Object.keys(hooksFor(fault)).length, fault).toBeGreaterThan(0);
  });

  it("gives no two faults the same hooks", () => {
    // Graded faults share a factory, so hooks are told apart by identity, not by function name.
    const ids = new Map<unknown, number>();
    const idOf = (v: unknown) => (typeof v === "function" ? (ids.get(v) ?? ids.set(v, ids.size).get(v)) : v);
    const signature = (h: EngineHooks) => Object.entries(h).map(([k, v]) => [k, idOf(v)]);
    const signatures = FAULT_NAMES.map((f) => JSON.stringify(signature(hooksFor(f))));
    expect(new Set(signatures).size).toBe(FAULT_NAMES.length);
  });
});

describe("every fault reaches its code", () => {
  let clean: Record<string, unknown>;
  let cleanServed: unknown[];
  const answersWith = (hooks: ServeHooks | undefined) => served(new EngineModel(prepareSource("tiny-qwen2", "native", "f32"), cpuKernels), hooks);
  beforeAll(async () => {
    clean = observe(NO_HOOKS);
    cleanServed = await answersWith(undefined);
  });

  it("the clean observation is reproducible", async () => {
    expect(observe(NO_HOOKS)).toEqual(clean);
    expect(await answersWith(undefined)).toEqual(cleanServed);
  });

  // the engine's faults change what the engine computes; the serving faults what refute serve answers
  it.each(FAULT_NAMES.filter((f) => !hooksFor(f).serve))("%s changes what the engine computes", (fault) => {
    const faulty = observe(hooksFor(fault));
    const changed = Object.keys(clean).filter((key) => JSON.stringify(faulty[key]) !== JSON.stringify(clean[key]));
    expect(changed.length, `${fault}: nothing changed`).toBeGreaterThan(0);
  });

  it.each(FAULT_NAMES.filter((f) => hooksFor(f).serve))("%s changes what refute serve answers", async (fault) => {
    const faulty = await answersWith(hooksFor(fault).serve);
    expect(JSON.stringify(faulty), `${fault}: nothing changed`).not.toBe(JSON.stringify(cleanServed));
  });
});
