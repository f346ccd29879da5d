// `refute report merge`: shard reports become the report of the whole run.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reportCommand } from "../../cli/report.ts";
import type { Report } from "../../gates/report.ts";
import { validateReport, writeReports } from "../../gates/write.ts";
import { runFake, tempDir } from "./helpers.ts";

const flips = { flips: (s: { model: string; quant: string }, p: string) => (s.model === "tiny-gpt2" && s.quant === "q4_0" && p === "code" ? [0, 1, 2, 3, 4, 5] : []) };

describe("report merge", () => {
  it("merges disjoint shards into the same verdicts as one full run", async () => {
    const full = (await runFake(flips)).report;
    const files: string[] = [];
    for (const k of [1, 2, 3]) {
      const dir = tempDir();
      await writeReports((await runFake(flips, { shard: { index: k, count: 3 } })).report, dir);
      files.push(join(dir, "latest.json"));
    }
    const out = tempDir();
    const lines: string[] = [];
    expect(await reportCommand(["merge", ...files, "-o", out], { out: (t) => lines.push(t), err: (t) => lines.push(t) })).toBe(1);
    const merged = JSON.parse(readFileSync(join(out, "latest.json"), "utf8")) as Report;
    expect(validateReport(merged)).toBe(true);
    expect(merged.summary).toEqual(full.summary);
    expect(merged.suites).toEqual(Object.fromEntries(Object.keys(merged.suites).map((s) => [s, full.suites[s]])));
    const verdicts = (r: Report) => Object.fromEntries(r.checks.map((c) => [c.id, c.verdict]));
    expect(verdicts(merged)).toEqual(verdicts(full));
    expect(merged.run).toMatchObject({ shard: null, mergedFrom: files });
    expect(JSON.parse(readFileSync(join(out, "badge.json"), "utf8")).message).toBe(`${full.summary.corroborated}/63 corroborated`);
    expect(readFileSync(join(out, "history.jsonl"), "utf8").trim().split("\n")).toHaveLength(1);
  });

  it("refuses overlapping inputs and bad usage with exit 2", async () => {
    const dir = tempDir();
    await writeReports((await runFake({}, { select: { suites: ["canary"] } })).report, dir);
    const file = join(dir, "latest.json");
    const err: string[] = [];
    const deps = { out: () => {}, err: (t: string) => err.push(t) };
    expect(await reportCommand(["merge", file, file, "-o", tempDir()], deps)).toBe(2);
    expect(err.at(-1)).toMatch(/canary-int8-exact-text\/tiny-llama\/native\/q8_0\/cpu\/embedded\/arithmetic is in both .* shards must be disjoint \[E_MERGE\]/);
    expect(await reportCommand(["merge", file], deps)).toBe(2);
    expect(await reportCommand(["split", file, "-o", "x"], deps)).toBe(2);
    expect(await reportCommand(["merge", join(dir, "missing.json"), "-o", tempDir()], deps)).toBe(2);
    expect(await reportCommand(["--help"], { out: (t) => err.push(t), err: () => {} })).toBe(0);
  });
});
