// Log-probability deltas: what is compared, and what a subject that cannot say (a server's
// top-k only) is held to: a lower bound from its k-th log p, or nothing.

import { describe, expect, it } from "vitest";
import { compareStep, summarize } from "../../measures/logprobs.ts";

describe("log-probability deltas", () => {
  it("compares the tokens both know, exactly", () => {
    const { deltas, unknown } = compareStep("p", 3, [7, 8], [-0.1, -2.5], [-0.1001, -2.5], []);
    expect(deltas.map((d) => [d.token, +d.delta.toFixed(6), d.bound])).toEqual([
      [7, 0.0001, false],
      [8, 0, false],
    ]);
    expect(unknown).toBe(0);
  });

  it("bounds a token outside the subject's top-k by its k-th log p, and counts it unknown when the bound says nothing", () => {
    const top = [
      { token: 1, logprob: -0.2 },
      { token: 2, logprob: -3 },
    ];
    // the reference gives token 9 log p -1: the subject left it out of a top-2 ending at -3, so it is at most -3
    const { deltas, unknown } = compareStep("p", 0, [9, 10], [-1, -5], [null, null], top);
    expect(deltas).toEqual([{ prompt: "p", step: 0, token: 9, reference: -1, subject: null, delta: 2, bound: true }]);
    expect(unknown).toBe(1); // token 10 at -5 may well be below -3: nothing can be said
  });

  it("a reference that does not know a token (a top-k distributions file) compares nothing there", () => {
    expect(compareStep("p", 0, [4], [null], [-1], []).deltas).toEqual([]);
  });

  it("summarizes the largest delta and the counts", () => {
    const s = summarize([compareStep("a", 0, [1, 2], [-1, -2], [-1.5, -2], []), compareStep("b", 1, [1], [-1], [-1.25], [])]);
    expect(s.max).toMatchObject({ prompt: "a", token: 1, delta: 0.5 });
    expect([s.compared, s.bounded, s.unknown, s.steps]).toEqual([3, 0, 0, 2]);
    expect(s.worst.map((d) => d.delta)).toEqual([0.5, 0.25, 0]);
  });
});
