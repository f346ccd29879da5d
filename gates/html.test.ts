// report.html as text, without a browser (test/gates/html-report.test.ts looks at it in
// Chromium): untrusted strings are escaped, nothing is fetched from the network, blocked
// reasons are grouped with their counts, the teeth matrix marks exactly the catches, and the
// charts carry their numbers as tables.

import { describe, expect, it } from "vitest";
import type { BenchReport } from "../bench/run.ts";
import { BlockedError } from "../runtimes/runtime.ts";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runFake, tempDir } from "../test/gates/helpers.ts";
import { refreshHtml, writeReports } from "./write.ts";
import { renderHtml, teethMatrix } from "./html.ts";
import type { TeethReport } from "./teeth.ts";

describe("renderHtml", async () => {
  // tiny-qwen2 blocked (one reason, many checks); tiny-gpt2's q4_0 code generation wrong from token 5
  const { report } = await runFake({
    fail: (spec) => (spec.model === "tiny-qwen2" ? new BlockedError("no CUDA device") : undefined),
    flips: (spec, prompt) => (spec.quant === "q4_0" && spec.model === "tiny-gpt2" && prompt === "code" ? [5, 6, 7, 8, 9, 10] : []),
  });

  it("escapes what a subject or a claim file said, and loads nothing from elsewhere", () => {
    const hostile = { ...report, checks: report.checks.map((c, i) => (i === 0 ? { ...c, line: `<script>alert(1)</script>`, claim: `x"><img src=y>` } : c)) };
    const html = renderHtml(hostile);
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain(`x"><img`);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html.match(/<script>/g)?.length).toBe(1); // the filter script, nothing else
  });

  it("groups blocked checks by reason with their counts", () => {
    const blocked = report.checks.filter((c) => c.verdict === "blocked");
    expect(blocked.length).toBeGreaterThan(1);
    const html = renderHtml(report);
    const section = html.slice(html.indexOf('id="blocked"'), html.indexOf('id="checks-h"'));
    const counts = [...section.matchAll(/<td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(blocked.length);
    expect(counts.length).toBeLessThan(blocked.length);
  });

  it("has a row per check with the filters' values, and a token diff per falsified generation", () => {
    const html = renderHtml(report);
    expect(html.match(/<tr data-verdict=/g)?.length).toBe(report.checks.length);
    const withDiffs = report.checks.filter((c) => c.verdict === "falsified").reduce((n, c) => n + (c.evidence?.divergences?.length ?? 0), 0);
    expect(withDiffs).toBeGreaterThan(0);
    expect(html.match(/<figure class="token-diff"/g)?.length).toBe(withDiffs);
  });

  it("draws the bench and the history with their numbers as tables", () => {
    const timing = (tps: number) => ({ runtime: "engine" as const, backend: "cpu-wasm", threads: 1, samplesMs: [1], tokensPerSecond: [tps], meanTps: tps, stdTps: 0, meanMs: 1, stdMs: 0, cv: 0 });
    const row = { model: "tiny-llama", quant: "q8_0", test: "tg16", kind: "tg", tokens: 16, engine: timing(300), llamacpp: timing(150), ratio: 2 };
    // a row with native llama-bench and the stream figures, one without (a bench.json from before them)
    const measured = { ...row, test: "tg32", native: { meanTps: 250 }, nativeRatio: 1.2, streamGBps: { engine: 30, llamacpp: 15, native: 25 }, streamShare: { engine: 0.75, llamacpp: 0.375, native: 0.625 } };
    const bench = { kind: "bench", startedAt: "t", rows: [row, measured] } as unknown as BenchReport;
    const history = [0.5, 0.75, 1].map((score, i) => ({ gitSha: `${i}`.repeat(12), time: `t${i}`, machine: "m", total: 4, corroborated: score * 4, falsified: 0, blocked: 0, score, inject: null, shard: null }));
    const html = renderHtml(report, { bench, history });
    expect(html).toContain("<td>300.0</td><td>150.0</td><td>2.000</td><td colspan=\"2\" class=\"muted\">not measured</td><td>-</td>");
    expect(html).toContain("<td>2.000</td><td>250.0</td><td>1.200</td><td>30.0 (75 %) / 25.0 (63 %)</td>");
    // bars: native's only where it ran, the ratio to native there and to node-llama-cpp elsewhere
    expect(html.match(/<rect class="native" x="220"/g)?.length).toBe(1);
    expect(html).toContain("native llama-bench 250.0 t/s");
    expect(html).toMatch(/>1\.20x native<\/text>/);
    expect(html).toMatch(/>2\.00x<\/text>/);
    expect(html).toMatch(/<polyline points="[\d.,\s]+"/);
    expect(html.match(/<circle /g)?.length).toBe(3);
    expect(html).toContain("<td>75.0%</td>");
  });
});

describe("refreshHtml", () => {
  it("shows a teeth run written beside a report, and does nothing where there is no report", async () => {
    const { report } = await runFake({}, { select: { suites: ["canary"] } });
    const dir = tempDir("refute-html-");
    await writeReports(report, dir);
    expect(readFileSync(join(dir, "report.html"), "utf8")).not.toContain('id="teeth"');
    const teeth = { summary: { faults: 1, caught: 1, claims: 1, cleanFalsified: 0, cleanBlocked: 0, passed: true }, clean: { falsified: [], blocked: [] }, faults: [{ fault: "f1", description: "d", caughtBy: ["c1"], blocked: [], checks: { falsified: 1, corroborated: 0, blocked: 0, notRun: 0, reused: 0 } }], power: [], claims: [], problems: [] };
    writeFileSync(join(dir, "teeth.json"), JSON.stringify(teeth));
    expect(await refreshHtml(dir)).toBe(join(dir, "report.html"));
    expect(readFileSync(join(dir, "report.html"), "utf8")).toContain('aria-label="f1 caught by c1"');
    expect(await refreshHtml(tempDir("refute-html-"))).toBeNull();
  });
});

describe("teethMatrix", () => {
  it("fills the cells of the claims that caught each fault, and says which fault no claim caught", () => {
    const fault = (name: string, caughtBy: string[]) => ({ fault: name, description: name, caughtBy, blocked: [], checks: { falsified: 0, corroborated: 0, blocked: 0, notRun: 0, reused: 0 }, durationMs: 1, slowest: [] });
    const teeth = { summary: { faults: 2, caught: 1, claims: 2, cleanFalsified: 0, cleanBlocked: 0, reusedChecks: 0, passed: false }, clean: { falsified: [], blocked: [] }, faults: [fault("f1", ["c1", "c2"]), fault("f2", [])], cleanDurationMs: 1, power: [], claims: [], problems: [] } as TeethReport;
    const html = teethMatrix(teeth);
    expect(html.match(/class="hit"/g)?.length).toBe(2);
    expect(html).toContain('aria-label="f1 caught by c2"');
    expect(html).toContain("f2 <strong class=\"v-falsified\">NOT CAUGHT</strong>");
  });
});
