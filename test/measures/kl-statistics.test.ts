// KL statistics of forced decoding (measures/forced.ts, forced-stats.ts): percentiles as numpy
// interpolates them, KL over the whole vocabulary equal to the sum p log(p / q) computed here in
// float64 from the oracle's distributions file, and a subject that can say only its top-k
// blocked, not guessed, when KL needs every token.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OracleStore } from "../../gates/oracle.ts";
import { type ForcedStep, forcedSteps, klPercentile } from "../../measures/forced.ts";
import { EmbeddedRuntime } from "../../runtimes/embedded.ts";
import { BlockedError, type SubjectSpec } from "../../runtimes/runtime.ts";

const withKl = (kl: number): ForcedStep => ({ prompt: "p", step: 0, oracleToken: 1, subjectTop: 1, kl, dp: 0, oracleMargin: null, subjectTopK: [], oracleTopK: [] });

describe("klPercentile", () => {
  const steps = Array.from({ length: 100 }, (_, i) => withKl(99 - i)); // KL 0..99, unsorted

  it("interpolates between order statistics (numpy's linear method)", () => {
    // rank q/100 * (n - 1): 0.9 * 99 = 89.1 -> 89.1; 0.5 * 99 = 49.5; 0.999 * 99 = 98.901
    expect(klPercentile(steps, 90).value).toBeCloseTo(89.1, 12);
    expect(klPercentile(steps, 50).value).toBeCloseTo(49.5, 12);
    expect(klPercentile(steps, 99.9).value).toBeCloseTo(98.901, 12);
    expect(klPercentile(steps, 100)).toEqual({ value: 99, uncertainty: 0, n: 100 });
  });

  it("states its uncertainty from the binomial spread of the rank", () => {
    // sqrt(100 * 0.9 * 0.1) = 3 ranks either side of 89.1, on values equal to their ranks
    expect(klPercentile(steps, 90).uncertainty).toBeCloseTo(3, 12);
  });
});

describe("KL over the vocabulary", () => {
  const prompt = { name: "code", text: readFileSync("oracle/prompts/code.txt", "utf8") };
  const subject: SubjectSpec = { model: "tiny-llama", format: "native", quant: "q4_0", backend: "cpu", runtime: "embedded" };

  it("is sum p log(p / q) over every token, p the oracle's distribution, q the subject's", async () => {
    const store = new OracleStore("oracle");
    const oracle = await store.generation("tiny-llama", prompt);
    const dist = await store.distributions("tiny-llama", prompt);
    const bins = oracle.tokens.map((_, step) => dist.tokens(step).map((token) => ({ token, logprob: dist.logprob(step, token) as number })));
    const scored = await new EmbeddedRuntime().score(subject, prompt.text, oracle.tokens, { topK: 10, candidates: bins.map((b) => b.map((e) => e.token)) });
    const steps = forcedSteps(prompt.name, oracle, scored.steps, { bins, rest: false });
    steps.forEach((s, step) => {
      const q = scored.steps[step].candidates as number[];
      const expected = bins[step].reduce((sum, e, i) => sum + Math.exp(e.logprob) * (e.logprob - q[i]), 0);
      // A float32 file's p sums to 1 only to about 1e-6, so a step whose q is p's to that order can sum below 0: reported as 0.
      expect(Math.abs(s.kl - Math.max(0, expected))).toBeLessThanOrEqual(1e-12);
    });
    expect(Math.max(...steps.map((s) => s.kl))).toBeGreaterThan(1e-5); // Q4_0 moves the distribution
  });

  it("is blocked, naming why, when the subject cannot say every token's log p", () => {
    const oracle = { model: "m", prompt: "p", tokens: [5], text: "", promptTokens: [1], source: "x", topk: [[{ token: 5, logprob: -0.1 }]] };
    const bins = [[{ token: 5, logprob: -0.1 }, { token: 6, logprob: -2.4 }]];
    const scored = [{ token: 5, logprob: -0.1, topk: [{ token: 5, logprob: -0.1 }], candidates: [-0.1, null] }];
    expect(() => forcedSteps("p", oracle, scored, { bins, rest: false })).toThrow(BlockedError);
    expect(() => forcedSteps("p", oracle, scored, { bins, rest: false })).toThrow(/cannot say the log p of 1 of the 2 tokens/);
  });

  it("with a rest bin, merges what the subject cannot say into the rest: a lower bound of KL", () => {
    const oracle = { model: "m", prompt: "p", tokens: [5], text: "", promptTokens: [1], source: "x", topk: [[{ token: 5, logprob: Math.log(0.6) }]] };
    const bins = [[{ token: 5, logprob: Math.log(0.6) }, { token: 6, logprob: Math.log(0.3) }]];
    // q: 0.5 for token 5, 0.1 for token 6 (outside the subject's report), 0.4 elsewhere
    const scored = [{ token: 5, logprob: Math.log(0.5), topk: [{ token: 5, logprob: Math.log(0.5) }], candidates: [Math.log(0.5), null] }];
    const [step] = forcedSteps("p", oracle, scored, { bins, rest: true });
    const merged = 0.6 * Math.log(0.6 / 0.5) + 0.4 * Math.log(0.4 / 0.5);
    const full = 0.6 * Math.log(0.6 / 0.5) + 0.3 * Math.log(0.3 / 0.1) + 0.1 * Math.log(0.1 / 0.4);
    expect(step.kl).toBeCloseTo(merged, 12);
    expect(step.kl).toBeLessThan(full);
  });
});
