// Shard reports become one report: the checks of every shard, summaries recomputed, run
// metadata spanning them all. Shards are disjoint by construction (gates/expand.ts), so a
// check that appears twice means the inputs are wrong, and merging refuses.

import { RefuteError } from "../core/errors.ts";
import { buildReport, type ClaimInfo, type Report } from "./report.ts";

export function mergeReports(reports: Report[], sources: string[]): Report {
  if (reports.length === 0) throw new RefuteError("E_USAGE", "report merge needs at least one report");
  const seen = new Map<string, string>();
  const checks = reports.flatMap((r, i) =>
    r.checks.map((c) => {
      const other = seen.get(c.id);
      if (other) throw new RefuteError("E_MERGE", `check ${c.id} is in both ${other} and ${sources[i]}: shards must be disjoint`, { check: c.id });
      seen.set(c.id, sources[i]);
      return c;
    }),
  );
  const injects = [...new Set(reports.map((r) => r.run.inject))];
  if (injects.length > 1) throw new RefuteError("E_MERGE", `reports ran with different injected faults (${injects.join(", ")}); merge runs of one kind`, { injects });
  const claims: Record<string, ClaimInfo> = Object.assign({}, ...reports.map((r) => r.claims));
  const shas = [...new Set(reports.map((r) => r.run.gitSha))];
  const times = reports.map((r) => [Date.parse(r.run.startedAt), Date.parse(r.run.finishedAt)]);
  const started = Math.min(...times.map((t) => t[0]));
  const finished = Math.max(...times.map((t) => t[1]));
  const union = (f: (r: Report) => string[]) => [...new Set(reports.flatMap(f))];
  const first = reports[0].run;
  return buildReport(checks, claims, {
    ...first,
    gitSha: shas.length === 1 ? shas[0] : first.gitSha,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    backends: union((r) => r.run.backends),
    runtimes: union((r) => r.run.runtimes),
    args: first.args.filter((a, i, all) => a !== "--shard" && all[i - 1] !== "--shard" && !a.startsWith("--shard=")),
    shard: null,
    warnings: [
      ...(shas.length > 1 ? [`merged reports come from different commits: ${shas.join(", ")}`] : []),
      ...reports.flatMap((r) => r.run.warnings),
    ],
    mergedFrom: sources,
  });
}
