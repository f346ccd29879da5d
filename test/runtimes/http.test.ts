// The http adapter against a real `refute serve` on loopback (in-process, ephemeral port):
// what comes over HTTP is exactly what the embedded engine says. Then the server's own
// answers to bad requests, and the adapter against servers that cannot do what it needs.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadServedModel } from "../../serve/load.ts";
import { createServingServer, listen } from "../../serve/server.ts";
import { EmbeddedRuntime } from "../../runtimes/embedded.ts";
import { HttpRuntime } from "../../runtimes/http.ts";
import { responseTokens } from "../../runtimes/openai.ts";
import { BlockedError, type RuntimeName, type SubjectSpec } from "../../runtimes/runtime.ts";
import { tinyGguf } from "./tiny-model.ts";

let server: Server;
let base: string;
const model = tinyGguf("llama", "q8_0");
const spec = (runtime: RuntimeName): SubjectSpec => ({ model, format: "gguf", quant: "q8_0", backend: "cpu", runtime });
const embedded = new EmbeddedRuntime();
const PROMPT = "Once upon a time, there was";

beforeAll(async () => {
  // served on the embedded runtime's own backend, so that any difference is the transport's
  server = createServingServer([{ name: model, model: loadServedModel(model, undefined, await embedded.kernels(spec("embedded"))).model }], { maxBodyBytes: 4096 });
  const address = await listen(server, 0, "127.0.0.1");
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function call(path: string, init?: { method?: string; body?: string }) {
  const r = await fetch(base + path, { method: init?.method ?? "POST", headers: { "content-type": "application/json" }, body: init?.body });
  return { status: r.status, body: await r.json() };
}

describe("http runtime against refute serve", () => {
  it("generates the engine's greedy tokens, text and top-k, sending the prompt as ids when told to", async () => {
    const http = new HttpRuntime({ baseUrl: base, promptAs: "ids" });
    const mine = await http.generate(spec("http"), PROMPT, 16);
    const engine = await embedded.generate(spec("embedded"), PROMPT, 16);
    expect(mine.promptTokens).toEqual(engine.promptTokens);
    expect(mine.tokens).toEqual(engine.tokens);
    expect(mine.text).toBe(engine.text);
    expect(mine.topk.map((s) => s.map((e) => e.token))).toEqual(engine.topk.map((s) => s.map((e) => e.token)));
  });

  it("sends text by default: the server tokenizes, for generations and for the ids forced decoding sends", async () => {
    const http = new HttpRuntime({ baseUrl: `${base}/v1/` });
    const mine = await http.generate(spec("http"), PROMPT, 8);
    expect(mine.tokens).toEqual((await embedded.generate(spec("embedded"), PROMPT, 8)).tokens);
    expect(mine.promptTokens).toEqual(await embedded.tokenize(spec("embedded"), PROMPT));
    expect(await http.tokenize(spec("http"), PROMPT)).toEqual(await embedded.tokenize(spec("embedded"), PROMPT));
    const scored = await http.score(spec("http"), PROMPT, [5, 300]);
    expect(scored.promptTokens).toEqual(await embedded.tokenize(spec("embedded"), PROMPT));
    expect(scored.steps[1].logprob).toBeCloseTo((await embedded.score(spec("embedded"), PROMPT, [5, 300])).steps[1].logprob, 9);
  });

  it("its curl reproduction makes the same request: the body it sends answers with the generation's tokens", async () => {
    const http = new HttpRuntime({ baseUrl: base });
    const line = http.reproduction(spec("http"), PROMPT, 8);
    const body = /-d '(.*)'$/.exec(line)![1].replace(/'\\''/g, "'");
    const replayed = await call("/v1/completions", { body });
    expect(replayed.body.choices[0].tokens).toEqual((await http.generate(spec("http"), PROMPT, 8)).tokens);
  });

  it("scores forced tokens (echo, max_tokens 0) and computes perplexity as the engine does", async () => {
    const http = new HttpRuntime({ baseUrl: base, promptAs: "ids" });
    const forced = [5, 300, 17, 900];
    const mine = await http.score(spec("http"), PROMPT, forced, { topK: 5, candidates: [[5], [], [], [17]] });
    const engine = await embedded.score(spec("embedded"), PROMPT, forced, { topK: 5 });
    mine.steps.forEach((s, i) => {
      expect(s.logprob).toBeCloseTo(engine.steps[i].logprob, 9);
      expect(s.topk).toEqual(engine.steps[i].topk);
    });
    expect(mine.steps[0].candidates).toEqual([mine.steps[0].logprob]);
    const text = "the cat sat on the mat and the dog sat on the log. ".repeat(4);
    const ppl = await http.perplexity(spec("http"), text, 32, 16);
    const enginePpl = await embedded.perplexity(spec("embedded"), text, 32, 16);
    expect(ppl.tokensScored).toBe(enginePpl.tokensScored);
    expect(ppl.perplexity).toBeCloseTo(enginePpl.perplexity, 6);
  });

  it("answers /health, /v1/models and echoes the prompt's text with the completion", async () => {
    expect(await call("/health", { method: "GET" })).toEqual({ status: 200, body: { status: "ok" } });
    const models = await call("/v1/models", { method: "GET" });
    expect(models.body.data.map((m: { id: string }) => m.id)).toEqual([model]);
    const r = await call("/v1/completions", { body: JSON.stringify({ prompt: PROMPT, max_tokens: 3, echo: true, logprobs: 2 }) });
    expect(r.status).toBe(200);
    expect(r.body.choices[0].text.startsWith(PROMPT)).toBe(true);
    const entries = r.body.choices[0].logprobs.content;
    expect(entries).toHaveLength(r.body.usage.prompt_tokens + 3);
    expect(entries[0].logprob).toBeNull();
    expect(r.body.choices[0].logprobs.token_logprobs).toHaveLength(entries.length);
  });

  it.each([
    ["not JSON", "{", 400, /not JSON/],
    ["a temperature past 2", JSON.stringify({ prompt: "a", temperature: 2.5 }), 400, /temperature must be a number >= 0 and <= 2/],
    ["too many logprobs", JSON.stringify({ prompt: "a", logprobs: 50 }), 400, /logprobs must be an integer from 0 to 20/],
    ["a token id outside the vocabulary", JSON.stringify({ prompt: [1, 99999] }), 400, /prompt\[1\] = 99999/],
    ["an empty prompt", JSON.stringify({ prompt: "" }), 400, /prompt must be/],
    ["negative max_tokens", JSON.stringify({ prompt: "a", max_tokens: -1 }), 400, /max_tokens/],
    ["past the context", JSON.stringify({ prompt: "a", max_tokens: 100000 }), 400, /exceeds the model's context/],
    ["streaming with echo", JSON.stringify({ prompt: "a", stream: true, echo: true }), 400, /echo is not supported with stream/],
    ["five stop sequences", JSON.stringify({ prompt: "a", stop: ["1", "2", "3", "4", "5"] }), 400, /stop must be a string or a list of at most 4/],
    ["another model", JSON.stringify({ prompt: "a", model: "gpt-4" }), 404, /not served here/],
    ["a body over the limit", JSON.stringify({ prompt: "x".repeat(5000) }), 413, /exceeds the limit of 4096/],
  ])("refuses %s with a clear error", async (_what, body, status, message) => {
    const r = await call("/v1/completions", { body });
    expect(r.status).toBe(status);
    expect(r.body.error.message).toMatch(message);
  });

  it("answers unknown routes with 404 and wrong methods with 405", async () => {
    expect((await call("/v1/embeddings", { body: "{}" })).status).toBe(404);
    expect((await call("/v1/completions", { method: "GET" })).status).toBe(405);
  });
});

describe("http runtime against servers it cannot use", () => {
  it("is blocked, naming the URL, when nothing listens", async () => {
    const closed = createServer();
    const { port } = await listen(closed, 0, "127.0.0.1");
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const http = new HttpRuntime({ baseUrl: `http://127.0.0.1:${port}` });
    const failure = http.generate(spec("http"), PROMPT, 2);
    await expect(failure).rejects.toThrow(BlockedError);
    await expect(http.generate(spec("http"), PROMPT, 2)).rejects.toThrow(new RegExp(`cannot reach http://127.0.0.1:${port}/v1/`));
  });

  it("is blocked when the answer has no token ids, when forced decoding has no /tokenize to make ids, and never falls back from ids to text", async () => {
    const prompts: unknown[] = [];
    const textOnly = createServer((req, res) => {
      if (req.method !== "POST" || req.url !== "/v1/completions") return void res.writeHead(404).end(); // no /v1/models, no /tokenize
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const prompt = JSON.parse(body).prompt;
        prompts.push(prompt);
        if (Array.isArray(prompt)) {
          res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "prompt must be a string" } }));
          return;
        }
        const legacy = { tokens: [" a"], token_logprobs: [-0.1], top_logprobs: [{ " a": -0.1 }], text_offset: [0] };
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ choices: [{ index: 0, text: " a", logprobs: legacy }] }));
      });
    });
    const { port } = (await listen(textOnly, 0, "127.0.0.1")) as AddressInfo;
    try {
      const http = new HttpRuntime({ baseUrl: `http://127.0.0.1:${port}` });
      await expect(http.generate(spec("http"), PROMPT, 1)).rejects.toThrow(/without token ids/);
      await expect(http.score(spec("http"), PROMPT, [1])).rejects.toThrow(/no \/tokenize to make them/);
      await expect(http.tokenize(spec("http"), PROMPT)).rejects.toThrow(BlockedError);
      const ids = new HttpRuntime({ baseUrl: `http://127.0.0.1:${port}`, promptAs: "ids" });
      await expect(ids.generate(spec("http"), PROMPT, 1)).rejects.toThrow(/answered 400/);
      expect(prompts.map((p) => typeof p)).toEqual(["string", "object"]);
    } finally {
      await new Promise<void>((resolve) => textOnly.close(() => resolve()));
    }
  });

  it("sends the configured headers and refuses a body over the limit", async () => {
    const seen: (string | undefined)[] = [];
    const big = createServer((req, res) => {
      seen.push(req.headers.authorization);
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ choices: [{ text: "x".repeat(5000) }] })));
    });
    const { port } = (await listen(big, 0, "127.0.0.1")) as AddressInfo;
    try {
      const http = new HttpRuntime({ baseUrl: `http://127.0.0.1:${port}`, headers: { authorization: "Bearer s3cret" }, maxBodyBytes: 1000 });
      await expect(http.generate(spec("http"), PROMPT, 1)).rejects.toThrow(/over the limit of 1000/);
      expect(seen).toContain("Bearer s3cret");
    } finally {
      await new Promise<void>((resolve) => big.close(() => resolve()));
    }
  });

  it("reads ids from vLLM's token_id:N form", () => {
    const body = {
      choices: [{ text: "", logprobs: { tokens: ["token_id:7", "token_id:3"], token_logprobs: [-0.5, -1], top_logprobs: [{ "token_id:7": -0.5, "token_id:2": -1.5 }, null] } }],
    };
    expect(responseTokens(body)).toEqual([
      { id: 7, logprob: -0.5, topk: [{ token: 7, logprob: -0.5 }, { token: 2, logprob: -1.5 }] },
      { id: 3, logprob: -1, topk: null },
    ]);
  });
});
