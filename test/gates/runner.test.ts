// The runner end to end on the committed core claims, with the fake subject and the fixture
// oracle: clean corroboration, each way a claim is falsified (with its evidence), each way
// a check is blocked, and the generation cache.

import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RefuteError } from "../../core/errors.ts";
import { BlockedError } from "../../runtimes/runtime.ts";
import { byVerdict, FIXTURE_ORACLE, runFake, tempDir } from "./helpers.ts";
import { oracleTokens, oracleTopK } from "./fixtures/make-oracle.ts";

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("runner on the fake subject", () => {
  it("corroborates all 63 core checks when the subject says what the oracle says", async () => {
    const { report, fake } = await runFake();
    expect(report.summary).toEqual({ total: 63, corroborated: 63, falsified: 0, blocked: 0, score: 1 });
    expect(Object.fromEntries(Object.entries(report.suites).map(([s, x]) => [s, x.total]))).toEqual({ canary: 12, token: 24, drift: 12, roundtrip: 6, ppl: 9 });
    expect(fake.made.every((r) => r.closed)).toBe(true);
  });

  it("evidence \"verdict\" judges alike and leaves out what explains a falsified check (token texts); the default keeps it", async () => {
    const flips = (s: { model: string; quant: string }, p: string) => (s.model === "tiny-llama" && s.quant === "q4_0" && p === "code" ? range(10, 16) : []);
    const falsified = (r: Awaited<ReturnType<typeof runFake>>["report"]) => r.checks.find((c) => c.verdict === "falsified")!;
    const full = falsified((await runFake({ flips })).report);
    const lean = falsified((await runFake({ flips }, { evidence: "verdict" })).report);
    expect(lean.id).toBe(full.id);
    expect(lean.line).toBe(full.line);
    expect(full.evidence!.tokenTexts).toBeDefined();
    expect(lean.evidence!.tokenTexts).toBeUndefined();
    expect(lean.evidence!.divergences).toEqual(full.evidence!.divergences);
  });

  it("falsifies the int4 token claim one mismatch past its threshold, with the first divergence as evidence", async () => {
    // 6 wrong tokens (10..15) for tiny-llama q4_0 on `code`; 5 on `greeting` stays within <= 5.
    const { report } = await runFake({
      flips: (s, p) => (s.model === "tiny-llama" && s.quant === "q4_0" ? (p === "code" ? range(10, 16) : p === "greeting" ? range(20, 25) : []) : []),
    });
    expect(byVerdict(report, "falsified")).toEqual(["token-int4-mismatch/tiny-llama/native/q4_0/cpu/embedded/code"]);
    const check = report.checks.find((c) => c.verdict === "falsified")!;
    expect(check.line).toBe("mismatched tokens = 6 > 5");
    expect(check.expected.description).toBe("mismatched tokens <= 5");
    expect(check.observed!.value).toBe(6);
    const d = check.evidence!.divergences![0];
    const oracle = oracleTokens("tiny-llama", "code");
    expect(d).toMatchObject({ prompt: "code", step: 10, expectedToken: oracle[10], observedToken: oracle[10] + 1, mismatches: 6 });
    expect(d.referenceTopK).toEqual(oracleTopK(oracle)[10]);
    expect(d.margin).toBeCloseTo(1.75, 10); // -0.5 vs -2.25 in the fixture
    expect(d.observedLogprob).toBeNull(); // the observed token is not in the oracle's top-10
    expect(report.checks.find((c) => c.id.endsWith("q4_0/cpu/embedded/greeting") && c.claim === "token-int4-mismatch")!.verdict).toBe("corroborated");
  });

  it("falsifies canary on one changed token and drift when int8 strays further than int4 + 1", async () => {
    const { report } = await runFake({
      flips: (s, p) => (s.model === "tiny-qwen2" && p === "arithmetic" ? (s.quant === "q8_0" ? [29, 30, 31] : [31]) : []),
    });
    expect(byVerdict(report, "falsified").sort()).toEqual([
      "canary-int8-exact-text/tiny-qwen2/native/q8_0/cpu/embedded/arithmetic",
      "drift-int8-within-int4/tiny-qwen2/native/q8_0/cpu/embedded/arithmetic",
    ]);
    const drift = report.checks.find((c) => c.claim === "drift-int8-within-int4" && c.verdict === "falsified")!;
    expect(drift.line).toBe("mismatched tokens = 3 > against + 1 (2)");
    expect(drift.observed).toMatchObject({ value: 3, reference: 1 });
    expect(drift.evidence!.divergences!.map((d) => [d.label, d.step])).toEqual([["q8_0", 29], ["q4_0", 31]]);
    // 3 <= 3 for token-int8: at the threshold, still corroborated.
    expect(report.checks.find((c) => c.id === "token-int8-mismatch/tiny-qwen2/native/q8_0/cpu/embedded/arithmetic")!.verdict).toBe("corroborated");
  });

  it("falsifies roundtrip when the reimported model differs from the native one on one prompt", async () => {
    const { report } = await runFake({ flips: (s, p) => (s.format === "roundtrip" && s.quant === "q4_0" && s.model === "tiny-gpt2" && p === "greeting" ? [20] : []) });
    expect(byVerdict(report, "falsified")).toEqual(["roundtrip-gguf-identical-tokens/tiny-gpt2/roundtrip/q4_0/cpu/embedded"]);
    const c = report.checks.find((x) => x.verdict === "falsified")!;
    expect(c.observed!.value).toBe(1);
    expect(c.evidence!.divergences!.map((d) => [d.prompt, d.step])).toEqual([["greeting", 20]]);
    expect(c.evidence!.identical).toEqual(["arithmetic", "completion", "code"]);
  });

  it("falsifies perplexity ceilings and the int4/int8 difference, NaN included", async () => {
    const { report } = await runFake({
      perplexity: (s) => (s.model === "tiny-llama" && s.quant === "q4_0" ? 25.01 : s.model === "tiny-gpt2" && s.quant === "q8_0" ? Number.NaN : undefined),
    });
    expect(byVerdict(report, "falsified").sort()).toEqual([
      "ppl-int4-ceiling/tiny-llama/native/q4_0/cpu/embedded", // 25.01 > 2 x 12.5
      "ppl-int4-int8-difference/tiny-gpt2/native/q4_0/cpu/embedded", // |18.55 - NaN| is NaN
      "ppl-int4-int8-difference/tiny-llama/native/q4_0/cpu/embedded", // |25.01 - 12.6| >= 0.5
      "ppl-int8-ceiling/tiny-gpt2/native/q8_0/cpu/embedded", // NaN
    ]);
    const ceiling = report.checks.find((c) => c.id.startsWith("ppl-int4-ceiling/tiny-llama"))!;
    expect(ceiling.line).toBe("perplexity = 25.01 > 2 x oracle (25)");
  });

  it("blocks with the reason: BlockedError as unavailable, other throws as errors with their code", async () => {
    const { report } = await runFake({
      fail: (s, op) => {
        if (s.model === "tiny-gpt2" && s.quant === "q4_0" && s.format === "native" && op === "generate") return new BlockedError("no q4_0 kernel on this backend");
        if (s.format === "roundtrip" && s.model === "tiny-llama") return new RefuteError("GGUF_MISALIGNED", "tensor data offset 33 is not aligned to 32");
        if (op === "perplexity" && s.model === "tiny-qwen2") return new TypeError("cannot read properties of undefined");
        return undefined;
      },
    });
    const blocked = report.checks.filter((c) => c.verdict === "blocked");
    // tiny-gpt2 q4_0 generations: token-int4 x4, drift x4 (its against), roundtrip q4_0 (native side);
    // tiny-llama roundtrip x2; tiny-qwen2 perplexity x3.
    expect(blocked.length).toBe(4 + 4 + 1 + 2 + 3);
    expect(report.summary).toMatchObject({ total: 63, blocked: 14, falsified: 0, corroborated: 49 });
    const unavailable = blocked.find((c) => c.id === "token-int4-mismatch/tiny-gpt2/native/q4_0/cpu/embedded/code")!;
    expect(unavailable.blockedBy).toBe("unavailable");
    expect(unavailable.reason).toBe("tiny-gpt2 native q4_0 cpu embedded prompt=code: no q4_0 kernel on this backend");
    const coded = blocked.find((c) => c.id === "roundtrip-gguf-identical-tokens/tiny-llama/roundtrip/q8_0/cpu/embedded")!;
    expect(coded.blockedBy).toBe("error");
    expect(coded.reason).toMatch(/^\[GGUF_MISALIGNED\] tiny-llama roundtrip q8_0 cpu embedded prompt=arithmetic: tensor data offset 33/);
    const generic = blocked.find((c) => c.id === "ppl-int8-ceiling/tiny-qwen2/native/q8_0/cpu/embedded")!;
    expect(generic.blockedBy).toBe("error");
    expect(generic.reason).toMatch(/^TypeError: tiny-qwen2 native q8_0 cpu embedded perplexity .*cannot read properties of undefined$/);
    expect(generic.observed).toBeNull();
    expect(generic.expected.description).toBe("perplexity <= 2 x oracle");
  });

  it("blocks every check when the runtime cannot be made, and still finishes", async () => {
    const report = (
      await runFake(
        {},
        {
          factory: () => {
            throw new Error("libtorch not found");
          },
          select: { suites: ["canary"] },
        },
      )
    ).report;
    expect(report.summary).toMatchObject({ total: 12, blocked: 12 });
    expect(report.checks[0].reason).toBe("Error: runtime 'embedded' could not be started: libtorch not found");
  });

  it("blocks the checks whose oracle is stale, and only those", async () => {
    const oracle = join(tempDir(), "oracle");
    cpSync(FIXTURE_ORACLE, oracle, { recursive: true });
    cpSync(join(oracle, "tiny-llama", "code.json"), join(oracle, "tiny-llama", "greeting.json")); // generated for another prompt
    const { report } = await runFake({}, { oracleDir: oracle });
    const reasons = report.checks.filter((c) => c.verdict === "blocked").map((c) => `${c.id} ${/^\[(\w+)\]/.exec(c.reason!)?.[1]}`);
    expect(reasons.sort()).toEqual(
      [
        "canary-int8-exact-text/tiny-llama/native/q8_0/cpu/embedded/greeting E_ORACLE_STALE",
        "drift-int8-within-int4/tiny-llama/native/q8_0/cpu/embedded/greeting E_ORACLE_STALE",
        "token-int4-mismatch/tiny-llama/native/q4_0/cpu/embedded/greeting E_ORACLE_STALE",
        "token-int8-mismatch/tiny-llama/native/q8_0/cpu/embedded/greeting E_ORACLE_STALE",
      ].sort(),
    );
  });

  it("refuses to plan claims whose oracle records are missing, naming each claim and file (a configuration error, not a run of blocked checks)", async () => {
    const oracle = join(tempDir(), "oracle");
    cpSync(FIXTURE_ORACLE, oracle, { recursive: true });
    rmSync(join(oracle, "ppl", "tiny-gpt2.json"));
    const error = await runFake({}, { oracleDir: oracle }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefuteError);
    expect((error as RefuteError).code).toBe("E_CLAIMS");
    const problems = (error as RefuteError & { problems: { claim: string; expected: string }[] }).problems;
    expect(problems.map((p) => p.claim).sort()).toEqual(["ppl-int4-ceiling", "ppl-int4-int8-difference", "ppl-int8-ceiling"]);
    expect(problems[0].expected).toContain(join(oracle, "ppl", "tiny-gpt2.json"));
  });

  it("computes each generation and perplexity once per run, even with concurrent checks", async () => {
    const { report, fake } = await runFake({ delayMs: 5 }, { concurrency: 8 });
    expect(report.summary.corroborated).toBe(63);
    const calls = fake.calls();
    const counts = new Map<string, number>();
    for (const c of calls) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // native q8_0 and q4_0 per model x prompt (shared by canary, token, drift, roundtrip's
    // native side) + roundtrip q8_0 and q4_0 per model x prompt = 4 x 12; perplexity: 2 x 3.
    expect(calls.filter((c) => c.startsWith("generate")).length).toBe(48);
    expect(calls.filter((c) => c.startsWith("perplexity")).length).toBe(6);
    expect(fake.made.length).toBe(1); // one runtime instance for the run
  });

  it("keys the cache by the injected fault: a faulted run never reuses clean generations", async () => {
    const { report, fake } = await runFake(
      { flips: (s) => (s.inject === "q4-nibble-order-swapped" && s.quant === "q4_0" ? range(0, 32) : []) },
      { inject: "q4-nibble-order-swapped", select: { claims: ["token-int4-mismatch"], models: ["tiny-llama"] } },
    );
    expect(report.summary).toMatchObject({ total: 4, falsified: 4 });
    expect(report.run.inject).toBe("q4-nibble-order-swapped");
    expect(fake.calls().every((c) => c.includes("/q4-nibble-order-swapped "))).toBe(true);
  });
});
