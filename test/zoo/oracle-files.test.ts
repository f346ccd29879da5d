// Every committed oracle file validates against oracle/schema.json (ajv, draft-07), and the
// facts a schema cannot state hold too: the prompt is the prompt file, the prompt tokens and
// the text are what Hugging Face's tokenizers library makes of them, each step's top-1 is the
// greedy token, top-k is sorted, and the perplexity file is consistent with its held-out text.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { Tokenizer } from "tokenizers";
import { describe, expect, it } from "vitest";
import { ZOO_SLUGS, promptsOf, readJson, repoPath } from "./paths.ts";

interface Greedy {
  model_slug: string;
  prompt: string;
  messages?: { role: string; content: string }[];
  prompt_file: string;
  max_new_tokens: number;
  end_token_ids: number[];
  finish_reason: "stop" | "length";
  prompt_tokens: number[];
  tokens: number[];
  token_count: number;
  text: string;
  topk: { token: number; logprob: number }[][];
}

interface Ppl {
  text_file: string;
  text_sha256: string;
  text_tokens: number;
  tokens_scored: number;
  nll_sum: number;
  perplexity: number;
  window: number;
  stride: number;
}

const schema = readJson<object>("oracle/schema.json");
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addSchema(schema);
const validator = (ref: string) => {
  const v = ajv.getSchema(`https://refute.dev/oracle/schema.json${ref}`);
  if (!v) throw new Error(`schema ${ref} not found`);
  return v;
};
const validateGreedy = validator("");
const validatePpl = validator("#/definitions/ppl");
const validateVectors = validator("#/definitions/tokenizerVectors");
const validateTrace = validator("#/definitions/trace");
const validateChat = validator("#/definitions/chatRenders");

const ORACLE_DIR = repoPath("oracle");
const NOT_MODELS = new Set(["prompts", "ppl", "tokenizer", "chat"]); // chat: the chat templates' reference renders
const modelDirs = readdirSync(ORACLE_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !NOT_MODELS.has(d.name))
  .map((d) => d.name);
const greedyFiles = modelDirs.flatMap((slug) =>
  readdirSync(join(ORACLE_DIR, slug))
    .filter((f) => f.endsWith(".json") && !f.endsWith(".trace.json"))
    .map((f) => `oracle/${slug}/${f}`),
);
const traceFiles = modelDirs.flatMap((slug) =>
  readdirSync(join(ORACLE_DIR, slug))
    .filter((f) => f.endsWith(".trace.json"))
    .map((f) => `oracle/${slug}/${f}`),
);
const jsonIn = (dir: string) =>
  readdirSync(repoPath(dir))
    .filter((f) => f.endsWith(".json"))
    .map((f) => `${dir}/${f}`);

const tokenizerOf = (slug: string) => Tokenizer.fromFile(repoPath(`models/zoo/${slug}/tokenizer.json`));

describe("oracle files validate against oracle/schema.json", () => {
  it("every zoo model has one greedy oracle per prompt", () => {
    for (const slug of ZOO_SLUGS) {
      for (const prompt of promptsOf(slug)) expect(existsSync(join(ORACLE_DIR, slug, `${prompt}.json`)), `${slug}/${prompt}`).toBe(true);
    }
    expect(greedyFiles.length).toBe(ZOO_SLUGS.reduce((n, slug) => n + promptsOf(slug).length, 0));
  });

  it.each(greedyFiles)("%s", (file) => {
    const ok = validateGreedy(readJson(file));
    expect(ok ? [] : validateGreedy.errors).toEqual([]);
  });

  it("every zoo model has a reference trace", () => {
    for (const slug of ZOO_SLUGS) expect(traceFiles.filter((f) => f.startsWith(`oracle/${slug}/`)).length, slug).toBeGreaterThan(0);
  });

  it.each(traceFiles)("%s", (file) => {
    const ok = validateTrace(readJson(file));
    expect(ok ? [] : validateTrace.errors).toEqual([]);
  });

  it.each(jsonIn("oracle/ppl"))("%s", (file) => {
    const ok = validatePpl(readJson(file));
    expect(ok ? [] : validatePpl.errors).toEqual([]);
  });

  it.each(jsonIn("oracle/tokenizer"))("%s", (file) => {
    const ok = validateVectors(readJson(file));
    expect(ok ? [] : validateVectors.errors).toEqual([]);
  });

  it.each(jsonIn("oracle/chat"))("%s", (file) => {
    const ok = validateChat(readJson(file));
    expect(ok ? [] : validateChat.errors).toEqual([]);
  });
});

describe.each(ZOO_SLUGS)("%s greedy oracles agree with themselves and with HF tokenizers", (slug) => {
  const tokenizer = tokenizerOf(slug);

  it.each(promptsOf(slug))("%s", async (prompt) => {
    const o = readJson<Greedy>(`oracle/${slug}/${prompt}.json`);
    expect(o.model_slug).toBe(slug);
    if (o.messages) {
      expect(o.prompt_file).toBe(`oracle/prompts/${prompt}.messages.json`);
      expect(o.messages).toEqual(readJson<{ messages: unknown }>(o.prompt_file).messages);
    } else {
      expect(o.prompt_file).toBe(`oracle/prompts/${prompt}.txt`);
      expect(o.prompt).toBe(readFileSync(repoPath(o.prompt_file), "utf8"));
    }
    expect(o.token_count).toBe(o.tokens.length);
    // max_new_tokens of them, or fewer ending with an end token
    const last = o.tokens[o.tokens.length - 1];
    if (o.finish_reason === "length") expect(o.tokens).toHaveLength(o.max_new_tokens);
    else expect(o.end_token_ids).toContain(last);
    expect(o.tokens.slice(0, -1).filter((t) => o.end_token_ids.includes(t))).toEqual([]);
    expect(o.topk.map((step) => step.length)).toEqual(Array(o.tokens.length).fill(10));
    // with the special tokens the tokenizer's post-processor adds (tiny-llama-spm's <s>; none for the byte-level zoo)
    const encoded = await tokenizer.encode(o.prompt, null, { addSpecialTokens: true });
    expect(encoded.getIds()).toEqual(o.prompt_tokens);
    expect(await tokenizer.decode(o.tokens, false)).toBe(o.text);
    o.topk.forEach((step, i) => {
      expect(step[0].token, `step ${i}: top-1 is the greedy token`).toBe(o.tokens[i]);
      for (let j = 1; j < step.length; j++) expect(step[j].logprob).toBeLessThanOrEqual(step[j - 1].logprob);
      expect(new Set(step.map((e) => e.token)).size).toBe(step.length);
    });
  });
});

describe.each(ZOO_SLUGS)("%s perplexity ground truth", (slug) => {
  it("is consistent with its text, window and stride", async () => {
    const p = readJson<Ppl>(`oracle/ppl/${slug}.json`);
    const text = readFileSync(repoPath(p.text_file), "utf8");
    expect(createHash("sha256").update(text, "utf8").digest("hex")).toBe(p.text_sha256);
    const ids = (await tokenizerOf(slug).encode(text, null, { addSpecialTokens: false })).getIds();
    expect(ids.length).toBe(p.text_tokens);
    expect(ids.length).toBeGreaterThanOrEqual(4096);
    expect(p.tokens_scored).toBe(ids.length - 1);
    expect([p.window, p.stride]).toEqual([128, 64]);
    expect(Math.abs(Math.exp(p.nll_sum / p.tokens_scored) - p.perplexity)).toBeLessThan(1e-5);
  });
});
