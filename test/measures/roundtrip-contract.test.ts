// A round trip whose output breaks the contract is the round trip's failure: with GGUF tensor
// data read 16 bytes early (the teeth catalogue's gguf-alignment-off), the re-imported model's
// weights hold NaN and the contract gate refuses it while the native model loads; the
// roundtrip claim is falsified, every token counted as differing, and the evidence names the
// contract's finding. A clean round trip stays corroborated.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Claim, parseClaimFile } from "../../gates/claims.ts";
import { expandClaims } from "../../gates/expand.ts";
import { runChecks } from "../../gates/run.ts";
import { defaultRuntimeFactory } from "../../runtimes/index.ts";

const { claims } = parseClaimFile("claims/roundtrip.yaml", readFileSync("claims/roundtrip.yaml", "utf8"));
const claim = claims.find((c) => c.id === "roundtrip-gguf-identical-tokens")!;
const one: Claim = { ...claim, subject: { ...claim.subject, model: ["tiny-llama"], quant: ["q8_0"] } };

describe("roundtrip against the contract gate", () => {
  it("a round trip that breaks the contract is falsified, naming the finding", async () => {
    const [clean] = (await runChecks(expandClaims([one]), { factory: defaultRuntimeFactory() })).results;
    expect(clean.verdict).toBe("corroborated");
    const [broken] = (await runChecks(expandClaims([one], { inject: "gguf-alignment-off" }), { factory: defaultRuntimeFactory() })).results;
    expect(broken.verdict).toBe("falsified");
    expect(broken.observed?.value).toBe(128); // 4 prompts x 32 tokens
    expect(broken.evidence?.notes?.[0]).toMatch(/the roundtrip model does not load, though the native one does: .*\[TENSOR_NAN\]/);
  });
});
