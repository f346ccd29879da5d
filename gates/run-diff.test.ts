// Two runs compared check by check: verdict changes are sorted by what they became, new and
// gone checks are told apart from changed ones, an edited claim is flagged, and observations
// move on the scale of their claim's bound. Runs come from reports or from history lines.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../test/gates/helpers.ts";
import { readRun } from "./read-run.ts";
import { diffRuns, historyCheck, parseTolerance, renderDiff, type RunCheck, type RunSnapshot, snapshotOfHistory } from "./run-diff.ts";

const run = (checks: Record<string, RunCheck>, name = "run"): RunSnapshot => ({ name, gitSha: "0123456789abcdef", time: "2026-12-03T00:00:00Z", checks: new Map(Object.entries(checks)) });
const c = (verdict: RunCheck["verdict"], extra: Partial<RunCheck> = {}): RunCheck => ({ verdict, fingerprint: "f1", ...extra });

describe("diffRuns", () => {
  const old = run({ a: c("corroborated"), b: c("falsified"), d: c("corroborated"), e: c("corroborated"), gone: c("blocked"), kl: c("corroborated", { value: 1e-6, bound: 1e-5 }) });
  const next = run({ a: c("falsified"), b: c("corroborated"), d: c("blocked"), e: c("corroborated", { fingerprint: "f2" }), added: c("falsified"), kl: c("corroborated", { value: 3e-6, bound: 1e-5 }) });
  const diff = diffRuns(old, next, 0.1);

  it("sorts verdict changes by what they became; a new falsified check is newly falsified too", () => {
    expect(diff.newlyFalsified.map((x) => [x.id, x.from])).toEqual([["a", "corroborated"], ["added", null]]);
    expect(diff.newlyCorroborated.map((x) => x.id)).toEqual(["b"]);
    expect(diff.newlyBlocked.map((x) => x.id)).toEqual(["d"]);
    expect(diff.added.map((x) => x.id)).toEqual(["added"]);
    expect(diff.removed).toEqual([{ id: "gone", label: "gone", verdict: "blocked" }]);
  });

  it("moves an observation when its change exceeds the tolerance times the bound", () => {
    // (3e-6 - 1e-6) / 1e-5 = 0.2 > 0.1; at a tolerance of 0.25 it stays
    expect(diff.moved.map((m) => [m.id, m.moved])).toEqual([["kl", expect.closeTo(0.2, 12)]]);
    expect(diffRuns(old, next, 0.25).moved).toEqual([]);
  });

  it("flags an edited claim only where the verdict changed or the check is compared", () => {
    const edited = diffRuns(run({ e: c("corroborated") }), run({ e: c("falsified", { fingerprint: "f2" }) }), 0.1);
    expect(edited.newlyFalsified[0].edited).toBe(true);
    expect(renderDiff(edited)).toContain("(claim or subject edited)");
    expect(renderDiff(diffRuns(old, old, 0.1))).toContain("no verdict changed and no observation moved");
  });

  it("reads a history line's verdicts and fingerprints; a line without them has none", () => {
    const line = { gitSha: null, time: "t", machine: "m", total: 2, corroborated: 1, falsified: 1, blocked: 0, score: 0.5, inject: null, shard: null, checks: { a: historyCheck("falsified", "ff00"), b: historyCheck("corroborated", "00ff") } };
    expect(snapshotOfHistory(line, "h")?.checks).toEqual(new Map([["a", { verdict: "falsified", fingerprint: "ff00" }], ["b", { verdict: "corroborated", fingerprint: "00ff" }]]));
    expect(snapshotOfHistory({ ...line, checks: undefined }, "h")).toBeNull();
  });

  it("refuses a negative or non-numeric tolerance", () => {
    expect(parseTolerance("0.5")).toBe(0.5);
    for (const bad of ["-1", "x", ""]) expect(() => parseTolerance(bad)).toThrow(/--tolerance/);
  });
});

describe("readRun", () => {
  const dir = tempDir("refute-diff-");
  const history = join(dir, "history.jsonl");
  const line = (n: number, checks?: Record<string, string>) => JSON.stringify({ gitSha: null, time: `t${n}`, machine: "m", total: 1, corroborated: 1, falsified: 0, blocked: 0, score: 1, inject: null, shard: null, ...(checks ? { checks } : {}) });
  writeFileSync(history, [line(1), JSON.stringify({ kind: "bench", time: "b" }), line(2, { a: "c:01" }), line(3, { a: "f:01" })].join("\n") + "\n");

  it("names runs by number, from either end, bench lines not counted", async () => {
    expect((await readRun(history)).time).toBe("t3");
    expect((await readRun(`${history}#2`)).time).toBe("t2");
    expect((await readRun(`${history}#-2`)).time).toBe("t2");
  });

  it("refuses a run that is not there and one that predates per-check history, saying which", async () => {
    await expect(readRun(`${history}#9`)).rejects.toThrow(/has 3 runs/);
    await expect(readRun(`${history}#0`)).rejects.toThrow(/has 3 runs/);
    await expect(readRun(`${history}#1`)).rejects.toThrow(/predates per-check history/);
    await expect(readRun(join(dir, "missing.jsonl"))).rejects.toMatchObject({ code: "E_REPORT_MISSING" });
    await expect(readRun(join(dir, "missing.json"))).rejects.toMatchObject({ code: "E_REPORT_MISSING" });
  });
});
