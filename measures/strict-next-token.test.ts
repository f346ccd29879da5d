// strict-next-token on a one-step oracle: what each of its three conditions refutes, and the
// tie at the top-k boundary it excuses.

import { describe, expect, it } from "vitest";
import type { ScoreOptions, Scoring, TopKEntry } from "../runtimes/runtime.ts";
import type { MeasureInput } from "./measure.ts";
import { strictNextToken } from "./strict-next-token.ts";

// the oracle's one step: token 1 most likely, then 2..6; 5 and 6 are tied within 1e-4
const ORACLE: TopKEntry[] = [
  { token: 1, logprob: -0.1 },
  { token: 2, logprob: -2 },
  { token: 3, logprob: -3 },
  { token: 4, logprob: -4 },
  { token: 5, logprob: -5 },
  { token: 6, logprob: -5.00005 },
];

/** The measure's observation when the subject's step has `topk` and gives each asked candidate `shift` + the oracle's log p (or its own where listed). */
async function observe(topk: TopKEntry[], shift = 0, params = { top_k: 5, logprob_tol: 1e-3 }): Promise<number> {
  const input = {
    subject: { model: "m", format: "native", quant: "f32", backend: "cpu", runtime: "embedded" },
    prompts: [{ name: "p", text: "x" }],
    oracleGeneration: async () => ({ model: "m", prompt: "p", tokens: [1], text: "", topk: [ORACLE] }),
    score: async (_s: unknown, _p: unknown, tokens: number[], options: ScoreOptions): Promise<Scoring> => ({
      promptTokens: [],
      steps: [{ token: tokens[0], logprob: -0.1, topk, candidates: (options.candidates?.[0] ?? []).map((t) => (topk.find((e) => e.token === t)?.logprob ?? ORACLE.find((e) => e.token === t)?.logprob ?? -99) + shift) }],
    }),
  } as unknown as MeasureInput;
  return (await strictNextToken.observe(input, params)).value as number;
}

describe("strict-next-token", () => {
  it("holds on the oracle's own distribution", async () => {
    expect(await observe(ORACLE.slice(0, 5))).toBe(0);
  });

  it("refutes another next token, a log p off by more than the tolerance, and a top-k that lost a token", async () => {
    expect(await observe([ORACLE[1], ORACLE[0], ...ORACLE.slice(2, 5)])).toBe(1);
    expect(await observe(ORACLE.slice(0, 5), 2e-3)).toBe(1);
    expect(await observe([...ORACLE.slice(0, 3), ORACLE[4], { token: 9, logprob: -4.5 }])).toBe(1);
    expect(await observe([...ORACLE.slice(0, 3), ORACLE[4], { token: 9, logprob: -4.5 }], 0, { top_k: 5, logprob_tol: 1e-3, min_overlap: 4 } as never)).toBe(0);
  });

  it("excuses a boundary swap of two tokens the oracle cannot tell apart", async () => {
    expect(await observe([...ORACLE.slice(0, 4), ORACLE[5]])).toBe(0);
  });
});
