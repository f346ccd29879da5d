// gates --repeat N on a subject that is not deterministic: a fake whose canary answer is wrong
// on every other call. Each check runs N times; its verdict is the worst of the runs, its
// counts say how many gave which, and the summary's pass rate and pass^N are the arithmetic
// of those counts (mean of k/N; the share of checks with k = N).

import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../gates/markdown.ts";
import { validateReport } from "../../gates/write.ts";
import { runFake } from "./helpers.ts";

describe("--repeat", () => {
  it("counts each run's verdict, keeps the worst, and summarizes pass rate and pass^N", async () => {
    let calls = 0;
    // the tiny-llama checks flip on odd calls: 2 of 4 runs falsified; the other models are steady
    const flips = (spec: { model: string }) => (spec.model === "tiny-llama" && calls++ % 2 === 1 ? [3] : []);
    const { report } = await runFake({ flips }, { select: { suites: ["canary"] }, repeat: 4 });
    const llama = report.checks.filter((c) => c.subject.model === "tiny-llama");
    const steady = report.checks.filter((c) => c.subject.model !== "tiny-llama");
    expect(llama.length).toBeGreaterThan(0);
    for (const c of llama) {
      expect(c.repeat).toEqual({ runs: 4, corroborated: 2, falsified: 2, blocked: 0 });
      expect(c.verdict).toBe("falsified");
    }
    for (const c of steady) expect(c.repeat).toEqual({ runs: 4, corroborated: 4, falsified: 0, blocked: 0 });
    const total = report.checks.length;
    expect(report.summary.repeat).toEqual({ runs: 4, passRate: (llama.length * 0.5 + steady.length) / total, passAll: steady.length / total });
    expect(validateReport(JSON.parse(JSON.stringify(report)))).toBe(true);
    expect(renderMarkdown(report)).toContain("| pass rate | pass^4 |");
  });

  it("runs once and records no counts without it", async () => {
    const { report } = await runFake({}, { select: { suites: ["canary"] } });
    expect(report.checks.every((c) => c.repeat === undefined)).toBe(true);
    expect(report.summary.repeat).toBeUndefined();
  });
});
