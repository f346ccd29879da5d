// A claim's params: checked against its measure's own schema, with problems that name the
// file, the claim, the field, what was expected and what was found; defaults filled in; and
// the committed claims/schema.json is exactly what the registry generates.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { claimSchema, claimSchemaText } from "../../gates/claim-schema.ts";
import { formatProblem, loadClaims, parseClaimFile } from "../../gates/claims.ts";
import { measures } from "../../measures/index.ts";

const kv = readFileSync("claims/kv.yaml", "utf8");
const kernels = readFileSync("claims/kernels.yaml", "utf8");

function problemsAfter(file: string, text: string, from: string, to: string): string[] {
  const changed = text.replace(from, to);
  expect(changed).not.toBe(text); // the edit must apply, or the test proves nothing
  return parseClaimFile(`claims/${file}`, changed).problems.map(formatProblem);
}

describe("claim params", () => {
  it("a value outside a parameter's enum names the claim, the field and the choices", () => {
    expect(problemsAfter("kv.yaml", kv, "params: { bits: 4, group_size: 32, unit: absolute }", "params: { bits: 4, group_size: 48, unit: absolute }")).toEqual([
      "claims/kv.yaml: claim 'kv-int4-ppl-delta' field 'params.group_size': expected one of 32, 64, 128; found 48",
    ]);
  });

  it("an unknown parameter, a wrong type and a missing required one", () => {
    expect(problemsAfter("kv.yaml", kv, "params: { bits: 4, group_size: 32, unit: absolute }", "params: { bits: 4, group_size: 32, unit: absolute, groups: 2 }")).toEqual([
      "claims/kv.yaml: claim 'kv-int4-ppl-delta' field 'params.groups': expected no such field (allowed: bits, group_size, sparsity, unit, text); found an unknown field",
    ]);
    expect(problemsAfter("kv.yaml", kv, "params: { bits: 4, group_size: 32, unit: absolute }", 'params: { bits: "4", group_size: 32, unit: absolute }')).toEqual([
      `claims/kv.yaml: claim 'kv-int4-ppl-delta' field 'params.bits': expected a value of type integer; found "4"`,
      `claims/kv.yaml: claim 'kv-int4-ppl-delta' field 'params.bits': expected one of 8, 4; found "4"`,
    ]);
    expect(problemsAfter("kv.yaml", kv, "params: { bits: 4, group_size: 32, unit: absolute }", "params: { group_size: 32, unit: absolute }")).toEqual([
      "claims/kv.yaml: claim 'kv-int4-ppl-delta' field 'params.bits': expected the field to be present; found nothing",
    ]);
  });

  it("a measure with a parameter that has no default needs params at all", () => {
    expect(problemsAfter("kernels.yaml", kernels, "    params: { probe: softmax-stable }\n", "")).toEqual([
      "claims/kernels.yaml: claim 'kernel-softmax-large-scores' field 'params': expected the field to be present; found nothing",
    ]);
  });

  it("the loader fills in defaults, and quantity() follows the params", async () => {
    const claims = await loadClaims("claims");
    const delta = claims.find((c) => c.id === "kv-int4-ppl-delta")!;
    expect(delta.params).toEqual({ bits: 4, group_size: 32, sparsity: 0, unit: "absolute", text: "heldout" });
    expect(measures.get(delta.measure)!.quantity(delta.params)).toBe("|perplexity delta| of the int4 g32 cache");
    const change = claims.find((c) => c.id === "kv-int4-ppl-change")!;
    expect(measures.get(change.measure)!.quantity(change.params)).toBe("|perplexity change| (%) of the int4 g32 cache");
    const timing = claims.find((c) => c.measure === "timing-cv")!;
    expect(timing.params).toEqual({ tokens: 32, rounds: 5 });
  });
});

describe("claims/schema.json", () => {
  it("is what the registry generates: regenerate with `pnpm refute gates schema`", () => {
    expect(readFileSync("claims/schema.json", "utf8")).toBe(claimSchemaText());
  });

  it("lists every registered measure, and each measure's params under an if/then of its name", () => {
    const claim = (claimSchema().definitions as Record<string, { properties: { measure: { enum: string[] } }; allOf: Array<{ if: { properties: { measure: { const: string } } } }> }>).claim;
    expect(claim.properties.measure.enum).toEqual([...measures.keys()]);
    expect(claim.allOf.map((c) => c.if.properties.measure.const)).toEqual([...measures.keys()]);
  });
});
