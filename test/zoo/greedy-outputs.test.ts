// The greedy oracle outputs (every zoo model x its prompts) are not degenerate: a model that
// repeats one token 32 times, or cycles through two or three, would make every exact-text
// claim weak. And no step is a near-tie: the int8 canary and the exact-text claims assume the
// oracle's top-1 beats its top-2 by a clear margin, so that quantization noise cannot flip a
// token by chance (a retrained zoo that loses this must not be committed). Every prompt, the
// long one included (it ends inside a line, "Accra", so its first step is not the choice of
// the next line's city).

import { describe, expect, it } from "vitest";
import { ZOO_SLUGS, promptsOf, readJson } from "./paths.ts";

interface Greedy {
  tokens: number[];
  text: string;
  topk: { token: number; logprob: number }[][];
}

const MIN_DISTINCT_TOKENS = 5;
const MIN_TOP1_MARGIN_NATS = 0.5;

describe.each(ZOO_SLUGS)("%s greedy output", (slug) => {
  it.each(promptsOf(slug))(`%s: at least ${MIN_DISTINCT_TOKENS} distinct tokens`, (prompt) => {
    const o = readJson<Greedy>(`oracle/${slug}/${prompt}.json`);
    const distinct = new Set(o.tokens).size;
    expect(distinct, `${slug}/${prompt}: ${JSON.stringify(o.text)}`).toBeGreaterThanOrEqual(MIN_DISTINCT_TOKENS);
    expect(o.text.trim().length).toBeGreaterThan(10);
  });

  it.each(promptsOf(slug))(`%s: every step's top-1 beats top-2 by at least ${MIN_TOP1_MARGIN_NATS} nats`, (prompt) => {
    const o = readJson<Greedy>(`oracle/${slug}/${prompt}.json`);
    const margins = o.topk.map((step) => step[0].logprob - step[1].logprob);
    const worst = Math.min(...margins);
    expect(worst, `${slug}/${prompt}: step ${margins.indexOf(worst)}`).toBeGreaterThanOrEqual(MIN_TOP1_MARGIN_NATS);
  });
});
