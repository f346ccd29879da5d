// The 12 greedy oracle outputs (3 zoo models x 4 prompts) are not degenerate: a model that
// repeats one token 32 times, or cycles through two or three, would make every exact-text
// claim weak. The zoo was trained until this holds.

import { describe, expect, it } from "vitest";
import { PROMPTS, ZOO_SLUGS, readJson } from "./paths.ts";

interface Greedy {
  tokens: number[];
  text: string;
  topk: { token: number; logprob: number }[][];
}

const MIN_DISTINCT_TOKENS = 5;

describe.each(ZOO_SLUGS)("%s greedy output", (slug) => {
  it.each(PROMPTS)(`%s: at least ${MIN_DISTINCT_TOKENS} distinct tokens among 32`, (prompt) => {
    const o = readJson<Greedy>(`oracle/${slug}/${prompt}.json`);
    const distinct = new Set(o.tokens).size;
    expect(distinct, `${slug}/${prompt}: ${JSON.stringify(o.text)}`).toBeGreaterThanOrEqual(MIN_DISTINCT_TOKENS);
    expect(o.text.trim().length).toBeGreaterThan(10);
  });
});
