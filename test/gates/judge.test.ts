import { describe, expect, it } from "vitest";
import { judge, resolveBound } from "../../gates/judge.ts";

const obs = (value: number | string, reference?: number | string) => ({ value, reference, summary: "s", evidence: {} });
const tokens = "mismatched tokens";

describe("judge", () => {
  it("holds at the threshold for le and fails one past it", () => {
    const p = { comparator: "le" as const, threshold: 5 };
    expect(judge(tokens, p, obs(5)).verdict).toBe("corroborated");
    const j = judge(tokens, p, obs(6));
    expect(j.verdict).toBe("falsified");
    expect(j.line).toBe("mismatched tokens = 6 > 5");
    expect(j.expected.description).toBe("mismatched tokens <= 5");
  });

  it("lt is strict", () => {
    const p = { comparator: "lt" as const, threshold: 0.5 };
    expect(judge("d", p, obs(0.49)).verdict).toBe("corroborated");
    expect(judge("d", p, obs(0.5)).verdict).toBe("falsified");
  });

  it("resolves a factor or an offset of the observation's reference", () => {
    expect(resolveBound({ of: "oracle", factor: 2 }, 12.5)).toBe(25);
    expect(resolveBound({ of: "against", offset: 1 }, 3)).toBe(4);
    expect(resolveBound({ of: "oracle" }, "text")).toBe("text");
    expect(resolveBound({ of: "oracle", factor: 2 }, undefined)).toBeNull();
    const ceiling = { comparator: "le" as const, threshold: { of: "oracle" as const, factor: 2 } };
    expect(judge("perplexity", ceiling, obs(25, 12.5)).verdict).toBe("corroborated");
    const j = judge("perplexity", ceiling, obs(25.01, 12.5));
    expect(j.verdict).toBe("falsified");
    expect(j.line).toBe("perplexity = 25.01 > 2 x oracle (25)");
    const drift = { comparator: "le" as const, threshold: { of: "against" as const, offset: 1 } };
    expect(judge(tokens, drift, obs(4, 3)).verdict).toBe("corroborated");
    expect(judge(tokens, drift, obs(5, 3)).verdict).toBe("falsified");
  });

  it("NaN and a missing reference falsify; they never pass", () => {
    const ceiling = { comparator: "le" as const, threshold: { of: "oracle" as const, factor: 2 } };
    expect(judge("perplexity", ceiling, obs(Number.NaN, 10)).verdict).toBe("falsified");
    expect(judge("perplexity", ceiling, obs(1)).verdict).toBe("falsified");
    expect(judge("perplexity", { comparator: "lt", threshold: 0.5 }, obs(Number.NaN)).verdict).toBe("falsified");
  });

  it("compares text with the reference exactly", () => {
    const p = { comparator: "eq" as const, threshold: { of: "oracle" as const } };
    expect(judge("text", p, obs(" Paris.", " Paris.")).verdict).toBe("corroborated");
    const j = judge("text", p, obs(" Paris", " Paris."));
    expect(j.verdict).toBe("falsified");
    expect(j.line).toBe("text != oracle");
  });
});
