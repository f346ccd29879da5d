// reports/junit.xml: one <testsuite> per claim suite, one <testcase> per check.
// falsified -> <failure> with the verdict line and summary; blocked -> <error> with its
// reason: the check could not run, which counts against the score, so it is not shown as
// skipped (viewers pass over skipped tests); `type` says why (unavailable or error).

import type { Report } from "./report.ts";

const escapeXml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // XML 1.0 cannot carry most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

export function renderJunit(report: Report): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const lines = [`<?xml version="1.0" encoding="UTF-8"?>`];
  const s = report.summary;
  lines.push(`<testsuites name="refute" tests="${s.total}" failures="${s.falsified}" errors="${s.blocked}" skipped="0" time="${seconds(report.run.durationMs)}">`);
  for (const [suite, sum] of Object.entries(report.suites)) {
    const checks = report.checks.filter((c) => c.suite === suite);
    const time = checks.reduce((t, c) => t + c.durationMs, 0);
    lines.push(`  <testsuite name="${escapeXml(suite)}" tests="${sum.total}" failures="${sum.falsified}" errors="${sum.blocked}" skipped="0" time="${seconds(time)}" timestamp="${report.run.startedAt.replace(/\.\d+Z$/, "")}">`);
    for (const c of checks) {
      const open = `    <testcase name="${escapeXml(c.id)}" classname="refute.${escapeXml(suite)}.${escapeXml(c.claim)}" time="${seconds(c.durationMs)}"`;
      if (c.verdict === "corroborated") {
        lines.push(`${open}/>`);
      } else if (c.verdict === "falsified") {
        lines.push(`${open}>`);
        lines.push(`      <failure message="${escapeXml(c.line)}" type="falsified">${escapeXml(`expected ${c.expected.description}\nobserved ${c.observed?.summary ?? ""}`)}</failure>`);
        lines.push(`    </testcase>`);
      } else {
        lines.push(`${open}>`);
        lines.push(`      <error message="${escapeXml(`blocked (${c.blockedBy}): ${c.reason ?? ""}`)}" type="blocked-${c.blockedBy}"/>`);
        lines.push(`    </testcase>`);
      }
    }
    lines.push(`  </testsuite>`);
  }
  lines.push(`</testsuites>`, "");
  return lines.join("\n");
}
