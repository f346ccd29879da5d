// The engine in fp32 against the oracle (Python, outside the engine): the seed prompts' 32
// greedy tokens, every step's top-k log-probabilities, and the reference perplexity, for the
// four families' models (the corpus v2 prompts have their claims: text, long).

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../engine/load.ts";
import { openModel } from "../../engine/open.ts";
import { createKernels } from "../../runtimes/backends.ts";
import { promptsOf, ZOO_SLUGS } from "../zoo/paths.ts";

const ORACLE = join(REPO_ROOT, "oracle");
const SLUGS = ["tiny-llama", "tiny-qwen2", "tiny-gpt2", "tiny-llama-spm"];
const PROMPTS = ["arithmetic", "completion", "code", "greeting"];

interface OracleFile {
  prompt: string;
  prompt_tokens: number[];
  tokens: number[];
  text: string;
  topk: { token: number; logprob: number }[][];
}

interface PplOracle {
  text_file: string;
  window: number;
  stride: number;
  tokens_scored: number;
  perplexity: number;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;

describe.each(SLUGS)("%s in fp32 against the oracle", (slug) => {
  const model = openModel(slug);

  it.each(PROMPTS)("prompt %s: same prompt tokens, same 32 greedy tokens, top-k within 1e-4", (prompt) => {
    const oracle = readJson<OracleFile>(join(ORACLE, slug, `${prompt}.json`));
    const result = model.generate(oracle.prompt, 32, 10);
    expect(result.promptTokens).toEqual(oracle.prompt_tokens);
    expect(result.tokens).toEqual(oracle.tokens);
    expect(result.text).toBe(oracle.text);
    let worst = 0;
    oracle.topk.forEach((step, i) => {
      expect(result.topk[i].map((e) => e.token).slice(0, 3)).toEqual(step.map((e) => e.token).slice(0, 3));
      for (const expected of step) {
        const mine = result.topk[i].find((e) => e.token === expected.token);
        // A token in the oracle's top-10 but not in ours sits at the boundary: compare there.
        const logprob = mine ? mine.logprob : result.topk[i][result.topk[i].length - 1].logprob;
        worst = Math.max(worst, Math.abs(logprob - expected.logprob));
      }
    });
    expect(worst).toBeLessThan(1e-4);
  });

  it("perplexity within 1e-3 relative of the oracle's (on the WASM backend: 4,608 tokens in windows of 128)", async () => {
    const oracle = readJson<PplOracle>(join(ORACLE, "ppl", `${slug}.json`));
    const text = readFileSync(join(REPO_ROOT, oracle.text_file), "utf8");
    const wasm = await createKernels("cpu-wasm", 1);
    const r = openModel(slug, wasm).perplexity(text, oracle.window, oracle.stride);
    await wasm.close?.();
    expect(r.tokensScored).toBe(oracle.tokens_scored);
    expect(Math.abs(r.perplexity - oracle.perplexity) / oracle.perplexity).toBeLessThan(1e-3);
  });

  it("prefill-then-decode logits equal a full recompute at every position", () => {
    const oracle = readJson<OracleFile>(join(ORACLE, slug, "completion.json"));
    const sequence = [...oracle.prompt_tokens, ...oracle.tokens];
    const incremental = model.session(sequence.length);
    const stepLogits = sequence.map((t) => Float32Array.from(incremental.step(t) as Float32Array));
    let worst = 0;
    for (let n = 1; n <= sequence.length; n += 7) {
      const fresh = model.session(n);
      let logits: Float32Array | null = null;
      for (let i = 0; i < n; i++) logits = fresh.step(sequence[i], i === n - 1);
      for (let v = 0; v < (logits as Float32Array).length; v++) worst = Math.max(worst, Math.abs((logits as Float32Array)[v] - stepLogits[n - 1][v]));
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it("greedy output is bit-identical across runs", () => {
    const a = model.generate("The capital of France is", 32, 10);
    const b = model.generate("The capital of France is", 32, 10);
    expect(b).toEqual(a);
  });
});

it("the oracle covers every model and prompt, each with its whole distributions", () => {
  for (const slug of ZOO_SLUGS) {
    const records = readdirSync(join(ORACLE, slug)).filter((f) => /^[a-z0-9_-]+\.(json|logprobs\.f32)$/.test(f));
    expect(records.sort()).toEqual(promptsOf(slug).flatMap((p) => [`${p}.json`, `${p}.logprobs.f32`]).sort());
  }
});
