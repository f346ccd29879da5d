import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compareTokens, countMismatches, firstDivergence } from "./tokens.ts";

describe("token comparison", () => {
  it("counts positional mismatches, a missing token counting as one", () => {
    expect(countMismatches([1, 2, 3, 4], [1, 9, 3, 8])).toBe(2);
    expect(countMismatches([1, 2, 3, 4], [1, 2])).toBe(2); // ended early (EOS)
    expect(countMismatches([1, 2], [1, 2, 3])).toBe(1);
    expect(countMismatches([5, 6], [5, 6])).toBe(0);
  });

  it("finds the first divergence, including where one sequence ends", () => {
    expect(firstDivergence([1, 2, 3], [1, 2, 3])).toBe(-1);
    expect(firstDivergence([1, 2, 3], [1, 7, 3])).toBe(1);
    expect(firstDivergence([1, 2, 3], [1, 2])).toBe(2);
  });

  it("mismatches are zero exactly when there is no divergence, and never fewer than the tail after it", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 12 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 12 }), (a, b) => {
        const n = countMismatches(a, b);
        const d = firstDivergence(a, b);
        expect(n === 0).toBe(d === -1);
        if (d >= 0) expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(Math.max(a.length, b.length) - Math.max(d, 0));
      }),
    );
  });

  it("reports the reference's top-k, margin and the observed token's log p at the divergence", () => {
    const topk = [
      [{ token: 10, logprob: -0.1 }, { token: 11, logprob: -2.5 }],
      [{ token: 20, logprob: -0.7 }, { token: 21, logprob: -0.75 }, { token: 22, logprob: -3 }],
    ];
    const d = compareTokens("code", { tokens: [10, 20, 30], text: "a", topk }, { tokens: [10, 21, 31], text: "b", topk: [] })!;
    expect(d.step).toBe(1);
    expect(d.expectedToken).toBe(20);
    expect(d.observedToken).toBe(21);
    expect(d.mismatches).toBe(2);
    expect(d.referenceTopK).toEqual(topk[1]);
    expect(d.margin).toBeCloseTo(0.05, 10);
    expect(d.observedLogprob).toBe(-0.75);
    const outside = compareTokens("code", { tokens: [10, 20], text: "", topk }, { tokens: [99], text: "", topk: [] })!;
    expect(outside.observedLogprob).toBeNull();
    expect(outside.margin).toBeCloseTo(2.4, 10);
    expect(compareTokens("code", { tokens: [1], text: "", topk: [] }, { tokens: [1], text: "", topk: [] })).toBeNull();
  });
});
