// reports/latest.md: the run for a person. Summary table (overall and per suite), then
// every falsified check with its verdict line, the blocked checks grouped by reason (one line
// per reason with its count, the checks under it), and the full list of checks. The HTML
// report beside it (report.html) has the token diffs and filters.

import { blockedReasons, type CheckResult, type Report, type Summary } from "./report.ts";

export function formatScore(s: Summary): string {
  return s.score === null ? "n/a" : `${(s.score * 100).toFixed(1)}%`;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The scoreboard: one row per suite and a total row. */
export function summaryTable(report: Report): string {
  // with --repeat N: the mean per-check pass rate and pass^N (checks corroborated in all N runs)
  const repeat = report.summary.repeat;
  const extra = (s: Summary) => (repeat ? ` ${s.repeat ? `${(s.repeat.passRate * 100).toFixed(1)}%` : "n/a"} | ${s.repeat ? `${(s.repeat.passAll * 100).toFixed(1)}%` : "n/a"} |` : "");
  const row = (name: string, s: Summary) => `| ${name} | ${s.total} | ${s.corroborated} | ${s.falsified} | ${s.blocked} | ${formatScore(s)} |${extra(s)}`;
  return [
    `| suite | checks | corroborated | falsified | blocked | score |${repeat ? ` pass rate | pass^${repeat.runs} |` : ""}`,
    `|---|---:|---:|---:|---:|---:|${repeat ? "---:|---:|" : ""}`,
    ...Object.entries(report.suites).map(([name, s]) => row(name, s)),
    row("**all**", report.summary),
  ].join("\n");
}

export function checkLabel(c: Pick<CheckResult, "subject" | "prompts">): string {
  const s = c.subject;
  const prompts = c.prompts.length === 1 ? ` · ${c.prompts[0]}` : "";
  return `${s.model} ${s.format} ${s.quant} ${s.backend} ${s.runtime}${prompts}`;
}

export function runLine(report: Report): string {
  const r = report.run;
  return [
    r.gitSha ? `commit ${r.gitSha.slice(0, 12)}` : "commit unknown",
    r.startedAt,
    `${r.machine.hostname} (${r.machine.platform}/${r.machine.arch}, ${r.machine.cpus} cpus)`,
    `node ${r.node}`,
    `backends ${r.backends.join(", ") || "none"}`,
    `runtimes ${r.runtimes.join(", ") || "none"}`,
    ...(r.config ? [`config ${r.config}`] : []),
    ...(r.inject ? [`**inject ${r.inject}**`] : []),
    ...(r.shard ? [`shard ${r.shard}`] : []),
    ...(r.mergedFrom ? [`merged from ${r.mergedFrom.length} reports`] : []),
  ].join(" · ");
}

export function renderMarkdown(report: Report): string {
  const s = report.summary;
  const out = [`# refute: ${s.corroborated}/${s.total} corroborated (score ${formatScore(s)})`, "", runLine(report), "", summaryTable(report), "", "Token diffs, filters and charts: [report.html](report.html).", ""];
  const falsified = report.checks.filter((c) => c.verdict === "falsified");
  const blocked = report.checks.filter((c) => c.verdict === "blocked");
  if (falsified.length > 0) {
    out.push("## Falsified", "");
    for (const c of falsified) out.push(`- \`${c.claim}\` ${checkLabel(c)}: **${cell(c.line)}**. ${cell(c.observed?.summary ?? "")}`);
    out.push("", "`pnpm ticket` turns these into issue text.", "");
  }
  if (blocked.length > 0) {
    out.push(`## Blocked (${blocked.length})`, "");
    for (const { reason, count } of blockedReasons(blocked)) {
      out.push(`- **${count} x** ${cell(reason)}`);
      for (const c of blocked.filter((b) => (b.cause ?? b.reason ?? "") === reason)) out.push(`  - \`${c.claim}\` ${checkLabel(c)} (${c.blockedBy})`);
    }
    out.push("");
  }
  const conversions = [...new Set(report.checks.flatMap((c) => (c.conversion ? [c.conversion] : [])))];
  if (conversions.length > 0) {
    out.push("## Conversions", "", "Subjects that ran in another format than their claim states, and why:", "", ...conversions.map((c) => `- ${cell(c)}`), "");
  }
  out.push("## Checks", "", `| claim | subject | verdict |${s.repeat ? " passed |" : ""} observed |`, `|---|---|---|${s.repeat ? "---:|" : ""}---|`);
  for (const c of report.checks) out.push(`| \`${c.claim}\` | ${cell(checkLabel(c))} | ${c.verdict} |${s.repeat ? ` ${c.repeat ? `${c.repeat.corroborated}/${c.repeat.runs}` : ""} |` : ""} ${cell(c.line)} |`);
  out.push("");
  return out.join("\n");
}
