// The teeth run keeps a check's clean verdict under a fault whose hooks its subject never read,
// or whose source transform left every source it prepared as it was (core/hook-reads.ts,
// runtimes/source-probes.ts): on the real engine, the report with that reuse equals the report
// of running every check under every fault, and the reuse happened.

import { describe, expect, it } from "vitest";
import { runTeeth, type TeethOptions } from "../../gates/teeth.ts";
import { FAULT_HOOKS } from "../../runtimes/fault-hooks.ts";
import { defaultRuntimeFactory } from "../../runtimes/index.ts";

const options: Omit<TeethOptions, "newFactory"> = {
  claimsDir: "claims",
  oracleDir: "oracle",
  select: { claims: ["serving-max-tokens-exact", "tools-tensor-dtypes", "eos-stops-generation", "ppl-f32-shuffled-percent", "chat-exact-text"] },
  // a serving fault (only refute serve reads its hook), a quantizer's, a GGUF writer's, a Q8_0
  // one that changes no F32 source although every prepared source reads its hook, and one that
  // generation reads (when an end token comes) and perplexity never does, on the same subjects;
  // and a chat template's, which a generation from a chat prompt reads through its rendering
  faults: ["serve-max-tokens-off-by-one", "quant-vectors-quantized", "gguf-kv-heads-as-heads", "q8-scale-bf16", "eos-never-reported", "chat-generation-prompt-dropped"],
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
    // which claims refuted (or were blocked under) each fault; counts and times differ with what ran
    const verdicts = (r: typeof reused) => r.faults.map((f) => ({ fault: f.fault, caughtBy: f.caughtBy, blocked: f.blocked }));
    expect(verdicts(reused)).toEqual(verdicts(everything));
    // every subject reads the quantized-source hook; the F32 ones of tools-tensor-dtypes (8 of its 24) are still reused under the Q8_0 fault (a Q4_0 file's embedding is Q8_0: changed)
    expect(reused.faults.find((f) => f.fault === "q8-scale-bf16")?.checks.reused).toBeGreaterThanOrEqual(8);
    // the perplexity checks (4) keep their clean verdicts under the end-token fault, which their subjects' generations read
    const eos = reused.faults.find((f) => f.fault === "eos-never-reported");
    expect(eos?.caughtBy).toContain("eos-stops-generation");
    expect(eos?.checks.reused).toBeGreaterThanOrEqual(4);
    expect(reused.claims).toEqual(everything.claims);
    expect(reused.summary).toEqual({ ...everything.summary, reusedChecks: reused.summary.reusedChecks });
  }, 300_000);
});
