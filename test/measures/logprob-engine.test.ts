// The logprob suite's claims on the real engine: the clean F32 engine corroborates them, and a
// residual branch scaled by 1 - 1e-4 (a deviation a hundred times smaller than the forward-pass
// faults that escaped every greedy and KL claim) falsifies them.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Claim, parseClaimFile } from "../../gates/claims.ts";
import { expandClaims } from "../../gates/expand.ts";
import { runChecks } from "../../gates/run.ts";
import { defaultRuntimeFactory } from "../../runtimes/index.ts";

const { claims } = parseClaimFile("claims/logprob.yaml", readFileSync("claims/logprob.yaml", "utf8"));
const tinyLlama = claims
  .filter((c) => c.id !== "logprob-backends-agree")
  .map((c): Claim => ({ ...c, subject: { ...c.subject, model: ["tiny-llama"], format: ["native"] } }));

async function verdicts(inject?: string): Promise<string[]> {
  const checks = expandClaims(tinyLlama, inject ? { inject } : {});
  const { results } = await runChecks(checks, { factory: defaultRuntimeFactory() });
  return results.map((r) => `${r.claim} ${r.verdict}`);
}

describe("logprob claims on the engine", () => {
  it("hold on the clean engine and catch a residual scaled by 0.9999", async () => {
    expect(await verdicts()).toEqual(["logprob-f32-vocabulary corroborated", "logprob-f32-free-top10 corroborated"]);
    expect(await verdicts("residual-scaled-1e-4")).toEqual(["logprob-f32-vocabulary falsified", "logprob-f32-free-top10 falsified"]);
  });
});
