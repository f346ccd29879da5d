// Claim files: the committed ones are valid and the core suites expand to the seed's counts;
// broken ones give problems that name the file, the claim id and the field, and say what was
// expected.

import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ClaimsError, formatProblem, loadClaims, parseClaimFile, readClaims, SCHEMA_HEADER } from "../../gates/claims.ts";
import { expandClaims } from "../../gates/expand.ts";
import { measures } from "../../measures/index.ts";
import { CORE_CHECKS, CORE_SUITES, tempDir } from "./helpers.ts";

const canary = readFileSync("claims/canary.yaml", "utf8");
const drift = readFileSync("claims/drift.yaml", "utf8");

/** The problems of claims/<file> after replacing `from` with `to` in its text. */
function problemsAfter(file: string, text: string, from: string | RegExp, to: string): string[] {
  const changed = text.replace(from, to);
  expect(changed).not.toBe(text); // the edit must apply, or the test proves nothing
  return parseClaimFile(`claims/${file}`, changed).problems.map(formatProblem);
}

describe("committed claims", () => {
  it("are valid, every id once; the core suites expand to the seed's 63 checks: canary 12, token 24, drift 12, roundtrip 6, ppl 9", async () => {
    const checks = expandClaims(await loadClaims("claims"));
    expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
    const bySuite: Record<string, number> = {};
    for (const c of checks) if (CORE_SUITES.includes(c.claim.suite)) bySuite[c.claim.suite] = (bySuite[c.claim.suite] ?? 0) + 1;
    expect(bySuite).toEqual({ canary: 12, token: 24, drift: 12, roundtrip: 6, ppl: 9 });
    expect(Object.values(bySuite).reduce((a, b) => a + b)).toBe(CORE_CHECKS);
  });

  it("every claim file starts with the schema comment for editor completion", () => {
    const files = readdirSync("claims").filter((f) => f.endsWith(".yaml"));
    expect(files).toEqual(expect.arrayContaining(CORE_SUITES.map((s) => `${s}.yaml`)));
    for (const f of files) expect(readFileSync(join("claims", f), "utf8").split("\n")[0], f).toBe(SCHEMA_HEADER);
  });

  it("hold no measured numbers for perplexity: ceilings are a factor of the oracle (2 on the held-out chains), deviations a per cent of it", async () => {
    const claims = await loadClaims("claims");
    const ceilings = claims.filter((c) => c.measure === "ppl-ceiling");
    expect(ceilings.length).toBeGreaterThanOrEqual(3); // int8 and int4 in ppl.yaml, the perf suite's GGUF ceiling, int4 on the shuffled text
    for (const c of ceilings) {
      expect(c.prediction, c.id).toMatchObject({ comparator: "le", threshold: { of: "oracle" } });
      if (c.params.text !== "shuffled") expect(c.prediction.threshold, c.id).toEqual({ of: "oracle", factor: 2 });
    }
    // ppl-deviation observes |ppl / oracle - 1| in per cent: its threshold is relative by construction
    expect(claims.filter((c) => c.measure === "ppl-deviation").map((c) => c.suite)).toEqual(["ppl-shuffled", "ppl-shuffled"]);
  });
});

describe("claim problems name file, claim id and field", () => {
  it("a wrong comparator", () => {
    expect(problemsAfter("canary.yaml", canary, "comparator: eq", "comparator: equals")).toEqual([
      `claims/canary.yaml: claim 'canary-int8-exact-text' field 'prediction.comparator': expected one of eq, le, lt, ge, gt; found "equals"`,
    ]);
  });

  it("a missing required field", () => {
    expect(problemsAfter("canary.yaml", canary, / {4}rationale: >-\n( {6}.*\n)+/, "")).toEqual([
      "claims/canary.yaml: claim 'canary-int8-exact-text' field 'rationale': expected the field to be present; found nothing",
    ]);
  });

  it("a misspelt field: the unknown one and the missing one", () => {
    const problems = problemsAfter("canary.yaml", canary, "severity: critical", "severty: critical");
    expect(problems).toHaveLength(2);
    expect(problems).toContain("claims/canary.yaml: claim 'canary-int8-exact-text' field 'severity': expected the field to be present; found nothing");
    expect(problems.find((p) => p.includes("'severty'"))).toMatch(
      /^claims\/canary\.yaml: claim 'canary-int8-exact-text' field 'severty': expected no such field \(allowed: id, suite, statement, .*catches\); found an unknown field$/,
    );
  });

  it("a threshold of the wrong type, and a wrong `of` inside a relative one", () => {
    expect(problemsAfter("canary.yaml", canary, "threshold: { of: oracle }", "threshold: five")).toEqual([
      `claims/canary.yaml: claim 'canary-int8-exact-text' field 'prediction.threshold': expected number | object; found "five"`,
    ]);
    expect(problemsAfter("canary.yaml", canary, "threshold: { of: oracle }", "threshold: { of: orcale }")).toContain(
      `claims/canary.yaml: claim 'canary-int8-exact-text' field 'prediction.threshold.of': expected one of oracle, against; found "orcale"`,
    );
  });

  it("an unknown quant in a matrix list", () => {
    expect(problemsAfter("canary.yaml", canary, "quant: q8_0", "quant: [q8_0, int8]")).toContain(
      `claims/canary.yaml: claim 'canary-int8-exact-text' field 'subject.quant.1': expected one of f32, bf16, f16, q8_0, q4_0, q4_k; found "int8"`,
    );
  });

  it("an unknown measure, listing the known ones", () => {
    const [p] = problemsAfter("canary.yaml", canary, "measure: exact-text", "measure: exact-txt");
    // Every registered measure, the core ones first; the registry grows with new suites.
    expect([...measures.keys()].slice(0, 6)).toEqual(["exact-text", "token-mismatch", "drift", "roundtrip", "ppl-ceiling", "ppl-difference"]);
    expect(p).toBe(`claims/canary.yaml: claim 'canary-int8-exact-text' field 'measure': expected one of ${[...measures.keys()].join(", ")}; found "exact-txt"`);
  });

  it("a claim that disagrees with its measure: no second subject for drift, prompts in the wrong mode", () => {
    expect(problemsAfter("drift.yaml", drift, "    against:\n      quant: q4_0\n", "")).toEqual([
      "claims/drift.yaml: claim 'drift-int8-within-int4' field 'against': expected a second subject: measure 'drift' compares two; found nothing",
    ]);
    expect(problemsAfter("canary.yaml", canary, "each: [arithmetic", "all: [arithmetic")).toEqual([
      "claims/canary.yaml: claim 'canary-int8-exact-text' field 'prompts.each': expected a list of prompts: measure 'exact-text' observes one prompt per check; found prompts.all",
    ]);
    expect(problemsAfter("drift.yaml", drift, "quant: q4_0", "quant: q8_0")[0]).toContain("field 'against': expected at least one field that differs");
  });

  it("a suite that is not the file's name", () => {
    expect(problemsAfter("canary.yaml", canary, "suite: canary", "suite: token")).toEqual([
      `claims/canary.yaml: claim 'canary-int8-exact-text' field 'suite': expected 'canary' (one file per suite: the file's name); found "token"`,
    ]);
  });

  it("a missing schema comment and broken YAML", () => {
    expect(problemsAfter("canary.yaml", canary, SCHEMA_HEADER + "\n", "")).toEqual([
      `claims/canary.yaml: field '(first line)': expected '${SCHEMA_HEADER}' (editor completion); found "# canary: golden-output regression. What the int8 engine says must be what the fp32 oracle says."`,
    ]);
    const [p] = problemsAfter("canary.yaml", canary, "claims:\n", "claims:\n  - id: [\n");
    expect(p).toMatch(/^claims\/canary\.yaml: field '\(yaml\)': expected valid YAML; found .+/);
  });

  it("a claim id used in two files, and loadClaims throwing E_CLAIMS", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "canary.yaml"), canary);
    writeFileSync(join(dir, "token.yaml"), canary.replaceAll("suite: canary", "suite: token"));
    const { problems } = await readClaims(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ claim: "canary-int8-exact-text", field: "id", expected: "an id used once in all claim files" });
    expect(problems[0].file).toMatch(/token\.yaml$/);
    expect(problems[0].found).toMatch(/^also in .*canary\.yaml$/);
    await expect(loadClaims(dir)).rejects.toThrow(ClaimsError);
    await expect(loadClaims(dir)).rejects.toMatchObject({ code: "E_CLAIMS" });
  });
});
