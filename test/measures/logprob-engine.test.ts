// The logprob suite's claims on the real engine: the clean F32 engine corroborates them, and a
// residual branch scaled by 1 - 1e-4 (a deviation a hundred times smaller than the forward-pass
// faults that escaped every greedy and KL claim) falsifies them; the quantized models' KL
// ceilings hold on the clean engine and a Q4_0 writer that swaps nibbles breaks the Q4_0 ones.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Claim, parseClaimFile } from "../../gates/claims.ts";
import { expandClaims } from "../../gates/expand.ts";
import { runChecks } from "../../gates/run.ts";
import { defaultRuntimeFactory } from "../../runtimes/index.ts";

const { claims } = parseClaimFile("claims/logprob.yaml", readFileSync("claims/logprob.yaml", "utf8"));
const onTinyLlama = (c: Claim): Claim => ({ ...c, subject: { ...c.subject, model: ["tiny-llama"], format: ["native"] } });
const f32 = claims.filter((c) => c.id.startsWith("logprob-f32-")).map(onTinyLlama);
const q4 = claims.filter((c) => c.id.startsWith("logprob-q4-0-kl-")).map(onTinyLlama);

async function verdicts(inject?: string, of: Claim[] = f32): Promise<string[]> {
  const checks = expandClaims(of, inject ? { inject } : {});
  const { results } = await runChecks(checks, { factory: defaultRuntimeFactory() });
  return results.map((r) => `${r.claim} ${r.verdict}`);
}

describe("logprob claims on the engine", () => {
  it("hold on the clean engine and catch a residual scaled by 0.9999", async () => {
    expect(await verdicts()).toEqual(["logprob-f32-vocabulary corroborated", "logprob-f32-free-top10 corroborated"]);
    expect(await verdicts("residual-scaled-1e-4")).toEqual(["logprob-f32-vocabulary falsified", "logprob-f32-free-top10 falsified"]);
  });

  it("quantized: the Q4_0 KL ceilings hold on the clean engine and catch swapped nibbles", async () => {
    const ids = q4.map((c) => c.id);
    expect(ids).toEqual(["logprob-q4-0-kl-p90", "logprob-q4-0-kl-p99", "logprob-q4-0-kl-p999", "logprob-q4-0-kl-max"]);
    expect(await verdicts(undefined, q4)).toEqual(ids.map((id) => `${id} corroborated`));
    expect(await verdicts("q4-nibble-order-swapped", q4)).toEqual(ids.map((id) => `${id} falsified`));
  });
});
