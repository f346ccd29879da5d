// The quick teeth run of the test command: one fault per claim family against a claim that
// lists it in `catches`, on the real engine, with clean verdicts reused where a fault cannot
// reach. A claim that loses its teeth (a change that makes it blind to the fault it names)
// fails the build here; the full run (`pnpm gates --teeth`) covers the whole catalogue.

import { describe, expect, it } from "vitest";
import { runTeeth } from "../../gates/teeth.ts";
import { FAULT_HOOKS } from "../../runtimes/fault-hooks.ts";
import { defaultRuntimeFactory } from "../../runtimes/index.ts";

/** claim -> a fault it must refute: one pair per family of claims, chosen among the cheap (perplexity claims cost a minute a pass and are left to the full run). */
const QUICK_TEETH: Record<string, string> = {
  "canary-int8-exact-text": "tokenizer-merge-ranks-off-by-one",
  "roundtrip-gguf-identical-tokens": "qk-permutation-skipped",
  "kv-int8-greedy-equal": "kv-group-scale-wrong",
  "logprob-strict-f32": "residual-scaled-1e-3",
  "rope-scaled-logprobs": "rope-scaling-ignored",
  "serving-max-tokens-exact": "serve-max-tokens-off-by-one",
  "utf8-exact-text": "detokenizer-bytes-per-token",
  "tools-tensor-dtypes": "quant-vectors-quantized",
}

describe("quick teeth", () => {
  it("each claim refutes the fault it is paired with, and every fault of its catches that ran", async () => {
    const report = await runTeeth({
      claimsDir: "claims",
      oracleDir: "oracle",
      select: { claims: Object.keys(QUICK_TEETH) },
      faults: [...new Set(Object.values(QUICK_TEETH))],
      concurrency: 2,
      newFactory: (hookReads) => defaultRuntimeFactory({ threads: 1, hookReads }),
      faultHooks: (fault) => Object.keys(FAULT_HOOKS[fault as keyof typeof FAULT_HOOKS]),
    });
    for (const [claim, fault] of Object.entries(QUICK_TEETH)) expect(report.faults.find((f) => f.fault === fault)?.caughtBy, `${claim} must refute ${fault}`).toContain(claim);
    expect(report.problems).toEqual([]);
  }, 300_000);
});
