// reports/latest.md: the run for a person. Summary table (overall and per suite), then
// every falsified check with its verdict line, every blocked check with its reason, and
// the full list of checks.

import type { CheckResult, Report, Summary } from "./report.ts";

export function formatScore(s: Summary): string {
  return s.score === null ? "n/a" : `${(s.score * 100).toFixed(1)}%`;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The scoreboard: one row per suite and a total row. */
export function summaryTable(report: Report): string {
  const row = (name: string, s: Summary) => `| ${name} | ${s.total} | ${s.corroborated} | ${s.falsified} | ${s.blocked} | ${formatScore(s)} |`;
  return [
    "| suite | checks | corroborated | falsified | blocked | score |",
    "|---|---:|---:|---:|---:|---:|",
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
  const out = [`# refute: ${s.corroborated}/${s.total} corroborated (score ${formatScore(s)})`, "", runLine(report), "", summaryTable(report), ""];
  const falsified = report.checks.filter((c) => c.verdict === "falsified");
  const blocked = report.checks.filter((c) => c.verdict === "blocked");
  if (falsified.length > 0) {
    out.push("## Falsified", "");
    for (const c of falsified) out.push(`- \`${c.claim}\` ${checkLabel(c)}: **${cell(c.line)}**. ${cell(c.observed?.summary ?? "")}`);
    out.push("", "`pnpm ticket` turns these into issue text.", "");
  }
  if (blocked.length > 0) {
    out.push("## Blocked", "");
    for (const c of blocked) out.push(`- \`${c.claim}\` ${checkLabel(c)} (${c.blockedBy}): ${cell(c.reason ?? "")}`);
    out.push("");
  }
  const conversions = [...new Set(report.checks.flatMap((c) => (c.conversion ? [c.conversion] : [])))];
  if (conversions.length > 0) {
    out.push("## Conversions", "", "Subjects that ran in another format than their claim states, and why:", "", ...conversions.map((c) => `- ${cell(c)}`), "");
  }
  out.push("## Checks", "", "| claim | subject | verdict | observed |", "|---|---|---|---|");
  for (const c of report.checks) out.push(`| \`${c.claim}\` | ${cell(checkLabel(c))} | ${c.verdict} | ${cell(c.line)} |`);
  out.push("");
  return out.join("\n");
}
