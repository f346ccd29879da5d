// The sanity suite's measure (measures/sanity.ts): its pure parts; each claim of the suite
// refuted by a subject with that one defect and held by a sound one; and the suite run through
// the gates command on a model outside the zoo, which has no oracle: the clean copy is
// corroborated on every property, a degenerate copy (one output row scaled up, so the model
// says that token whatever it reads) is refuted for repetition.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { gatesCommand, loadDefaultFactory } from "../../cli/gates.ts";
import { parseClaimFile } from "../../gates/claims.ts";
import { expandClaims } from "../../gates/expand.ts";
import { runChecks } from "../../gates/run.ts";
import type { Generation, Runtime } from "../../runtimes/runtime.ts";
import { badCharacters, longestRun } from "../../measures/sanity.ts";
import { tempDir } from "../gates/helpers.ts";
import { mutant, withValues } from "../hostile/mutant.ts";

describe("longestRun", () => {
  it("finds the longest run of one token and where it starts", () => {
    expect(longestRun([1, 2, 2, 3, 3, 3, 2])).toEqual({ length: 3, token: 3, at: 3 });
    expect(longestRun([7])).toEqual({ length: 1, token: 7, at: 0 });
    expect(longestRun([])).toEqual({ length: 0, token: null, at: 0 });
  });
});

describe("badCharacters", () => {
  it("counts NUL and U+FFFD, but not one U+FFFD at the very end", () => {
    expect(badCharacters("plain text")).toBe(0);
    expect(badCharacters("cut at the end \uFFFD")).toBe(0);
    expect(badCharacters("a\uFFFDb\u0000c\uFFFD")).toBe(2);
  });
});

type Defect = "none" | "empty" | "fffd" | "loop" | "inf-logprob" | "too-long" | "flaky";

/** A subject whose every generation is a sound sentence but for the one defect it is given. */
function subject(defect: Defect): Runtime {
  let calls = 0;
  const generate = async (_spec: unknown, _prompt: string, max: number): Promise<Generation> => {
    calls++;
    const n = defect === "too-long" ? max + 3 : defect === "empty" ? 0 : max;
    const tokens = Array.from({ length: n }, (_, i) => (defect === "loop" ? 42 : defect === "flaky" && calls % 2 === 0 && i === 5 ? 999 : 100 + (i % 7)));
    const text = defect === "empty" ? "" : defect === "fffd" ? "a sentence \uFFFD with a broken byte" : "a sentence of words";
    const topk = tokens.map((t) => [{ token: t, logprob: defect === "inf-logprob" ? Number.POSITIVE_INFINITY : -0.1 }]);
    return { promptTokens: [1, 2], tokens, text, topk };
  };
  const unused = async () => {
    throw new Error("not used by the sanity suite");
  };
  return { name: "embedded", capabilities: new Set(["generate"]), serves: () => null, generate, tokenize: unused, score: unused, perplexity: unused, close: async () => {} } as unknown as Runtime;
}

describe("each sanity claim", () => {
  const { claims } = parseClaimFile("claims/sanity.yaml", readFileSync("claims/sanity.yaml", "utf8"));
  const oneSubject = claims.map((c) => ({ ...c, subject: { ...c.subject, model: ["tiny-llama"], runtime: ["embedded"] } }));
  async function refuted(defect: Defect): Promise<string[]> {
    const { results } = await runChecks(expandClaims(oneSubject), { factory: () => subject(defect) });
    expect(results.filter((r) => r.verdict === "blocked").map((r) => r.reason)).toEqual([]);
    return results.filter((r) => r.verdict === "falsified").map((r) => r.claim);
  }

  it.each([
    ["none", []],
    ["empty", ["sanity-non-empty"]],
    ["fffd", ["sanity-clean-text"]],
    ["loop", ["sanity-no-degenerate-repetition"]],
    ["inf-logprob", ["sanity-finite-logprobs"]],
    ["too-long", ["sanity-max-tokens"]],
    ["flaky", ["sanity-greedy-repeatable"]],
  ] as [Defect, string[]][])("a subject with defect %s refutes exactly %j", async (defect, expected) => {
    expect(await refuted(defect)).toEqual(expected);
  });
});

async function sanity(model: string): Promise<{ code: number; verdicts: string[] }> {
  const out: string[] = [];
  const code = await gatesCommand(["--suite", "sanity", "--model", model, "--runtime", "embedded", "--reports", tempDir("refute-sanity-"), "--json"], {
    out: (t) => out.push(t),
    err: () => {},
    factory: loadDefaultFactory,
  });
  const report = JSON.parse(out.join("\n")) as { checks: { claim: string; verdict: string }[] };
  return { code, verdicts: report.checks.map((c) => `${c.claim} ${c.verdict}`) };
}

describe("the sanity suite on a model with no oracle", () => {
  it("corroborates a clean copy of a zoo model and refutes a degenerate one for repetition", async () => {
    const clean = await sanity(mutant("tiny-qwen2", {}));
    expect(clean.code).toBe(0);
    expect(clean.verdicts.every((v) => v.endsWith(" corroborated"))).toBe(true);
    expect(clean.verdicts).toHaveLength(6);

    const degenerate = mutant("tiny-qwen2", { tensors: (ts) => withValues(ts, "lm_head.weight", (v) => v.subarray(260 * 128, 261 * 128).forEach((x, i, row) => (row[i] = x * 400))) });
    const broken = await sanity(degenerate);
    expect(broken.code).toBe(1);
    expect(broken.verdicts).toContain("sanity-no-degenerate-repetition falsified");
  });
});
