// The hostile campaign (scripts/hostile/) past the readers, at a tenth of its size: 30 damaged
// inputs of each kind (config.json, tokenizer.json, SafeTensors, GGUF, RFT, claim YAML, HTTP
// responses) through validate and a 2-token run, claim parsing, or the http runtime, each in a
// worker process with a 1 GiB heap: every one refused with a code or run harmlessly, none
// crashing, hanging past 10 s, passing 1 GiB, or making validate and run disagree.

import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../gates/helpers.ts";

describe("the hostile campaign", () => {
  it("210 cases: no crash, hang, memory peak or disagreement", () => {
    const out = tempDir("refute-hostile-");
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/hostile/campaign.ts", "--cases", "210", "--out", out], { encoding: "utf8", timeout: 300_000 });
    const report = JSON.parse(readFileSync(join(out, "hostile.json"), "utf8")) as { gitSha: string | null; summary: { cases: number; failures: number }; kinds: { kind: string; cases: number; refused: number }[]; failures: unknown[] };
    expect(report.failures).toEqual([]);
    // the commit it ran at, for `report publish` to compare with the report's
    expect(report.gitSha).toBe(execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim());
    expect(run.status).toBe(0);
    expect(report.summary.cases).toBe(210);
    for (const k of report.kinds) {
      expect(k.cases, k.kind).toBe(30);
      expect(k.refused, `${k.kind}: the damage is seen`).toBeGreaterThan(15);
    }
    expect(readFileSync(join(out, "hostile.md"), "utf8")).toMatch(/\*\*0 crashes, hangs over 10 s/);
  }, 300_000);
});
