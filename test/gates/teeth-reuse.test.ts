// The teeth run keeps a check's clean verdict under a fault whose hooks its subject never read
// (core/hook-reads.ts): on the real engine, the report with that reuse equals the report of
// running every check under every fault, and the reuse happened.

import { describe, expect, it } from "vitest";
import { runTeeth, type TeethOptions } from "../../gates/teeth.ts";
import { FAULT_HOOKS } from "../../runtimes/fault-hooks.ts";
import { defaultRuntimeFactory } from "../../runtimes/index.ts";

const options: Omit<TeethOptions, "newFactory"> = {
  claimsDir: "claims",
  oracleDir: "oracle",
  select: { claims: ["serving-max-tokens-exact", "tools-tensor-dtypes"] },
  // a serving fault (only refute serve reads its hook), a quantizer's and a GGUF writer's
  faults: ["serve-max-tokens-off-by-one", "quant-vectors-quantized", "gguf-kv-heads-as-heads"],
  concurrency: 2,
};

describe("teeth with clean verdicts reused", () => {
  it("reports exactly what running every check under every fault reports", async () => {
    const everything = await runTeeth({ ...options, newFactory: () => defaultRuntimeFactory({ threads: 1 }) });
    const reused = await runTeeth({
      ...options,
      newFactory: (hookReads) => defaultRuntimeFactory({ threads: 1, hookReads }),
      faultHooks: (fault) => Object.keys(FAULT_HOOKS[fault as keyof typeof FAULT_HOOKS]),
    });
    expect(everything.summary.reusedChecks).toBe(0);
    expect(reused.summary.reusedChecks).toBeGreaterThan(0);
    expect(reused.faults).toEqual(everything.faults);
    expect(reused.claims).toEqual(everything.claims);
    expect(reused.summary).toEqual({ ...everything.summary, reusedChecks: reused.summary.reusedChecks });
  }, 300_000);
});
