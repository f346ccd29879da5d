// D7 of issue 19: a claim or config file is untrusted YAML. Nested aliases ("billion laughs":
// 584 bytes that expand to 9^10 values) and an alias inside its own anchor are refused as
// problems in milliseconds instead of expanding for minutes into gigabytes; a claim whose
// subject matrix is thousands of models is refused before a check runs.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_YAML_VALUES, loadBoundedYaml } from "../../core/bounded-yaml.ts";
import { loadConfig } from "../../core/config.ts";
import { MAX_CHECKS_PER_CLAIM, parseClaimFile } from "../../gates/claims.ts";
import { tempDir } from "../gates/helpers.ts";

const HEADER = "# yaml-language-server: $schema=./schema.json";

function laughs(levels: number): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(",")}]`);
  return lines.join("\n");
}

describe("D7: bounded YAML", () => {
  it("refuses a billion-laughs claim file as a problem, fast", () => {
    const text = `${HEADER}\n${laughs(10)}\nclaims:\n  - id: x\n    statement: *a10\n`;
    const started = performance.now();
    const { claims, problems } = parseClaimFile("claims/bomb.yaml", text);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(claims).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: "(yaml)", found: expect.stringMatching(new RegExp(`expand to more than ${MAX_YAML_VALUES} values`)) });
  });

  it("refuses an alias inside its own anchor (a cycle)", () => {
    expect(() => loadBoundedYaml("a: &x\n  b: *x\n", "cycle.yaml")).toThrow(/cycle/);
  });

  it("keeps a document whose aliases expand to a bounded tree", () => {
    expect(loadBoundedYaml(laughs(3), "small.yaml")).toHaveProperty("a3");
  });

  it("refuses a billion-laughs config as E_CONFIG", () => {
    const file = join(tempDir("refute-d7-"), "refute.config.yaml");
    writeFileSync(file, `${laughs(10)}\nmodels: *a10\n`);
    expect(() => loadConfig(file)).toThrow(expect.objectContaining({ code: "E_CONFIG", message: expect.stringMatching(/refused: its aliases expand/) }));
  });

  it("refuses a claim whose subject matrix is 3,000 models", () => {
    const models = Array.from({ length: 3000 }, (_, i) => `m${i}`).join(", ");
    const text = `${HEADER}\nclaims:\n  - id: wide\n    suite: wide\n    statement: A claim long enough to pass the schema's statement length rule.\n    rationale: A rationale long enough to pass the schema's rationale length rule.\n    measure: exact-text\n    subject: { model: [${models}], format: native, quant: f32 }\n    prompts: { each: [code] }\n    prediction: { comparator: eq, threshold: { of: oracle } }\n    severity: low\n    references: []\n    catches: []\n`;
    const { problems } = parseClaimFile("claims/wide.yaml", text);
    expect(problems.map((p) => `${p.field}: ${p.expected}`)).toContain(`subject: a matrix of at most ${MAX_CHECKS_PER_CLAIM} checks per claim (split the claim)`);
  });
});
