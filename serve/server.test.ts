// refute serve over real HTTP on the zoo's tiny-llama (f32, as loaded): expectations come from
// the oracle (the PyTorch reference's greedy tokens and chat answer), from the server's own
// other answers where the property is an equality (stream = whole, concurrent = alone), and
// from the API's definitions (stop strings, finish reasons, error fields).

import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadServedModel } from "./load.ts";
import { createServingServer, listen } from "./server.ts";
import type { Server } from "node:http";
import { readFileSync } from "node:fs";

const oracle = (prompt: string) => JSON.parse(readFileSync(`oracle/tiny-llama/${prompt}.json`, "utf8")) as { prompt: string; tokens: number[]; text: string; messages?: unknown[] };

let server: Server;
let faulty: Server;
let base: string;
let faultyBase: string;

beforeAll(async () => {
  const { model, identity } = loadServedModel("tiny-llama");
  server = createServingServer([{ name: "tiny-llama", model, identity }]);
  faulty = createServingServer([{ name: "tiny-llama", model, hooks: { sharedKvCache: true } }]);
  base = `http://127.0.0.1:${((await listen(server, 0, "127.0.0.1")) as AddressInfo).port}`;
  faultyBase = `http://127.0.0.1:${((await listen(faulty, 0, "127.0.0.1")) as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  faulty.close();
});

// biome-ignore lint/suspicious/noExplicitAny: response bodies of several shapes, read field by field as each test expects
type Json = any;

async function post(path: string, body: unknown, at = base): Promise<{ status: number; json: Json }> {
  const r = await fetch(at + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

async function streamText(path: string, body: unknown): Promise<{ text: string; events: Json[]; done: boolean }> {
  const r = await fetch(base + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...(body as object), stream: true }) });
  expect(r.headers.get("content-type")).toBe("text/event-stream");
  const lines = (await r.text()).split("\n").filter((l) => l.startsWith("data: "));
  const done = lines.at(-1) === "data: [DONE]";
  const events = lines.filter((l) => l !== "data: [DONE]").map((l) => JSON.parse(l.slice(6)));
  const text = events.map((e) => e.choices[0].text ?? e.choices[0].delta?.content ?? "").join("");
  return { text, events, done };
}

describe("refute serve", () => {
  it("answers a greedy completion with the oracle's 32 tokens and text, finish length", async () => {
    const o = oracle("completion");
    const { status, json } = await post("/v1/completions", { prompt: o.prompt, max_tokens: 32, temperature: 0 });
    expect(status).toBe(200);
    expect(json.choices[0].tokens).toEqual(o.tokens);
    expect(json.choices[0].text).toBe(o.text);
    expect(json.choices[0].finish_reason).toBe("length");
    expect(json.usage.completion_tokens).toBe(32);
  });

  it("streams the same text in deltas that never split a character, ending with [DONE]", async () => {
    const o = oracle("utf8");
    const whole = await post("/v1/completions", { prompt: o.prompt, max_tokens: 30, temperature: 0 });
    const s = await streamText("/v1/completions", { prompt: o.prompt, max_tokens: 30, temperature: 0 });
    expect(s.done).toBe(true);
    expect(s.text).toBe(whole.json.choices[0].text);
    expect(s.text).toBe(o.text);
    expect(s.events.some((e) => e.choices[0].text.includes("\uFFFD"))).toBe(false);
    expect(s.events.at(-1).choices[0].finish_reason).toBe("length");
  });

  it("renders a chat with the model's template and stops at its end token, left out of the answer", async () => {
    const o = oracle("chat");
    const { json } = await post("/v1/chat/completions", { messages: o.messages, max_tokens: 64, temperature: 0 });
    expect(json.choices[0].message).toEqual({ role: "assistant", content: o.text.replace("<|im_end|>", "") });
    expect(json.choices[0].finish_reason).toBe("stop");
    expect(json.choices[0].tokens).toEqual(o.tokens.slice(0, -1));
    const streamed = await streamText("/v1/chat/completions", { messages: o.messages, max_tokens: 64, temperature: 0 });
    expect(streamed.text).toBe(json.choices[0].message.content);
    const rendered = await post("/apply-template", { messages: o.messages });
    expect(rendered.json.prompt).toBe(o.prompt);
  });

  it("gives each request in flight its own KV cache: four at once answer as each alone; one shared cache does not", async () => {
    const prompts = ["completion", "greeting", "code", "arithmetic"].map((p) => oracle(p));
    const body = (p: { prompt: string }) => ({ prompt: p.prompt, max_tokens: 32, temperature: 0 });
    const together = await Promise.all(prompts.map((p) => post("/v1/completions", body(p))));
    together.forEach((r, i) => expect(r.json.choices[0].tokens).toEqual(prompts[i].tokens));
    const shared = await Promise.all(prompts.map((p) => post("/v1/completions", body(p), faultyBase)));
    expect(shared.filter((r, i) => JSON.stringify(r.json.choices[0]?.tokens) !== JSON.stringify(prompts[i].tokens)).length).toBeGreaterThan(0);
  });

  it("ends at a stop string, without it, finish stop", async () => {
    const o = oracle("completion");
    const { json } = await post("/v1/completions", { prompt: o.prompt, max_tokens: 32, temperature: 0, stop: [" Berlin"] });
    expect(json.choices[0].text).toBe(o.text.slice(0, o.text.indexOf(" Berlin")));
    expect(json.choices[0].finish_reason).toBe("stop");
  });

  it("samples reproducibly with a seed, and reports raw log-probabilities (<= 0, the greedy token's own)", async () => {
    const sampled = (seed: number) => post("/v1/completions", { prompt: "The capital of France is", max_tokens: 64, temperature: 2, seed });
    const [a, b] = [await sampled(5), await sampled(5)];
    expect(a.json.choices[0].text).toBe(b.json.choices[0].text);
    const texts = new Set(await Promise.all([1, 2, 3, 4].map(async (s) => (await sampled(s)).json.choices[0].text)));
    expect(texts.size).toBeGreaterThan(1);
    const { json } = await post("/v1/completions", { prompt: "The capital of France is", max_tokens: 8, temperature: 0, logprobs: 3 });
    for (const e of json.choices[0].logprobs.content) {
      expect(e.logprob).toBeLessThanOrEqual(0);
      expect(e.top_logprobs[0].id).toBe(e.id);
      expect(e.top_logprobs[0].logprob).toBe(e.logprob);
    }
  });

  it("tokenizes and detokenizes as the model's tokenizer", async () => {
    const o = oracle("completion");
    const t = await post("/tokenize", { content: o.prompt });
    expect(t.json.tokens).toEqual(JSON.parse(readFileSync("oracle/tiny-llama/completion.json", "utf8")).prompt_tokens);
    expect((await post("/detokenize", { tokens: o.tokens })).json.content).toBe(o.text);
  });

  it("refuses what it cannot honour, naming the field", async () => {
    for (const [body, param] of [
      [{ prompt: "x", n: 2 }, "n"],
      [{ prompt: "x", temperature: 3 }, "temperature"],
      [{ prompt: "x", top_p: 0 }, "top_p"],
      [{ prompt: "x", stop: ["a", "b", "c", "d", "e"] }, "stop"],
      [{ prompt: "x", logprobs: 21 }, "logprobs"],
      [{ prompt: "x", max_tokens: 100000 }, "max_tokens"],
      [{ prompt: [5000] }, "prompt"],
    ] as const) {
      const { status, json } = await post("/v1/completions", body);
      expect([status, json.error.param]).toEqual([400, param]);
    }
    const chat = await post("/v1/chat/completions", { messages: [{ role: "wizard", content: "hi" }] });
    expect([chat.status, chat.json.error.param]).toEqual([400, "messages[0]"]);
    const big = await fetch(`${base}/v1/completions`, { method: "POST", body: "x".repeat(2 << 20) });
    expect(big.status).toBe(413);
  });
});
