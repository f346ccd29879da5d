// report.html: the run for a person who would rather look than read. One self-contained file
// (inline style and a few lines of script, no network, no CDN): the summary and per-suite
// tables, every check in one table with filters (verdict, suite, model, quant, runtime), each
// falsified check's token diff (gates/html-token-diff.ts), the blocked reasons grouped with
// counts, and where the run's directory has them, the teeth run as a faults x claims matrix,
// the bench as charts and the score over the history (gates/html-charts.ts). Tables have
// captions and header scopes, filters are labelled native selects, and the count of shown
// checks is announced (aria-live); without script every check is shown.

import type { BenchReport } from "../bench/run.ts";
import { escapeHtml } from "./html-escape.ts";
import { benchChart, scoreHistoryChart } from "./html-charts.ts";
import { tokenDiffs } from "./html-token-diff.ts";
import { checkLabel, formatScore, runLine } from "./markdown.ts";
import { blockedReasons, type CheckResult, type Report, type Summary } from "./report.ts";
import type { RunDiff, VerdictChange } from "./run-diff.ts";
import type { TeethReport } from "./teeth.ts";
import type { HistoryLine } from "./write.ts";

/** What the run's directory holds beside the report, each shown where present. */
export interface HtmlExtras {
  history?: HistoryLine[];
  teeth?: TeethReport;
  bench?: BenchReport;
  /** gates --baseline: what changed since that run. */
  diff?: RunDiff;
}

const FILTERS = ["verdict", "suite", "model", "quant", "runtime"] as const;
type Filter = (typeof FILTERS)[number];

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px 48px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:20px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}caption{text-align:left;font-weight:600;padding:4px 0}td.num,th.num{text-align:right}
.muted{color:#57606a}.run{color:#57606a;font-size:12px}
.v-corroborated{color:#116329}.v-falsified{color:#a40e26;font-weight:600}.v-blocked{color:#7d4e00}
tr.falsified td{background:#fff5f5}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:end;margin:8px 0}.filters label{display:flex;flex-direction:column;font-size:12px}
select{font:inherit;padding:2px 4px}
:focus-visible{outline:3px solid #0969da;outline-offset:2px}
.token-diff{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:10px 0;background:#fafbfc}
.token-diff figcaption{font-weight:600;margin-bottom:6px}
.tokrow{display:flex;gap:8px;align-items:flex-start;margin:4px 0}.tokrow-label{width:70px;flex:none;font-size:12px;color:#57606a;padding-top:2px}
.toks{display:flex;flex-wrap:wrap;gap:2px}
.tok{font:12px/1.6 ui-monospace,monospace;background:#eaeef2;border-radius:3px;padding:0 4px;white-space:pre}
.tok.after{opacity:.55}.tok.differs{opacity:1;outline:1px solid #a40e26}mark.tok.first{background:#ffd33d;outline:2px solid #a40e26;color:#1b1f24}
table.topk tr.observed td{background:#fff5f5}table.topk tr.expected td{background:#f0fff4}
.matrix td.hit{background:#a40e26;color:#fff;text-align:center}.matrix td.miss{text-align:center;color:#8c959f}
.matrix th.claim{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:500}
svg.chart{width:100%;max-width:760px;height:auto;font:11px system-ui,sans-serif}
svg .line{fill:none;stroke:#0969da;stroke-width:2}svg circle{fill:#0969da}svg .grid{stroke:#d0d7de}
svg rect.engine{fill:#0969da}svg rect.llamacpp{fill:#bf8700}svg rect.native{fill:#8250df}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
`;

// Filters the checks table by the selects' values; runs only where script is allowed.
const SCRIPT = `
(function(){
  var table=document.getElementById('checks');var selects=document.querySelectorAll('.filters select');var status=document.getElementById('shown');
  function apply(){var rows=table.tBodies[0].rows;var shown=0;
    for(var i=0;i<rows.length;i++){var ok=true;
      for(var j=0;j<selects.length;j++){var s=selects[j];if(s.value&&rows[i].getAttribute('data-'+s.name)!==s.value){ok=false;break}}
      rows[i].hidden=!ok;if(ok)shown++}
    status.textContent=shown+' of '+rows.length+' checks shown'}
  for(var j=0;j<selects.length;j++)selects[j].addEventListener('change',apply);apply();
})();
`;

function verdictCell(v: CheckResult["verdict"]): string {
  return `<span class="v-${v}">${v}</span>`;
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

function summaryTable(report: Report): string {
  const repeat = report.summary.repeat;
  const row = (name: string, s: Summary, header = false) => {
    const th = header ? `<th scope="row"><strong>${escapeHtml(name)}</strong></th>` : `<th scope="row">${escapeHtml(name)}</th>`;
    const repeated = repeat ? `<td class="num">${s.repeat ? percent(s.repeat.passRate) : "n/a"}</td><td class="num">${s.repeat ? percent(s.repeat.passAll) : "n/a"}</td>` : "";
    return `<tr>${th}<td class="num">${s.total}</td><td class="num">${s.corroborated}</td><td class="num">${s.falsified}</td><td class="num">${s.blocked}</td><td class="num">${formatScore(s)}</td>${repeated}</tr>`;
  };
  const repeatHead = repeat ? `<th scope="col" class="num">pass rate</th><th scope="col" class="num">pass^${repeat.runs}</th>` : "";
  return `<table><caption>Verdicts per suite${repeat ? `, each check run ${repeat.runs} times` : ""}</caption><thead><tr><th scope="col">suite</th><th scope="col" class="num">checks</th><th scope="col" class="num">corroborated</th><th scope="col" class="num">falsified</th><th scope="col" class="num">blocked</th><th scope="col" class="num">score</th>${repeatHead}</tr></thead><tbody>${Object.entries(
    report.suites,
  )
    .map(([name, s]) => row(name, s))
    .join("")}${row("all", report.summary, true)}</tbody></table>`;
}

const filterValue = (c: CheckResult, f: Filter): string => (f === "verdict" ? c.verdict : f === "suite" ? c.suite : String(c.subject[f]));

function filterControls(checks: CheckResult[]): string {
  const controls = FILTERS.map((f) => {
    const values = [...new Set(checks.map((c) => filterValue(c, f)))].sort();
    const options = values.map((v) => `<option value="${escapeHtml(v)}">${escapeHtml(v)} (${checks.filter((c) => filterValue(c, f) === v).length})</option>`).join("");
    return `<label>${f}<select name="${f}" id="filter-${f}"><option value="">all</option>${options}</select></label>`;
  });
  return `<form class="filters" role="search" aria-label="Filter the checks" onsubmit="return false">${controls.join("")}<output id="shown" aria-live="polite">${checks.length} of ${checks.length} checks shown</output></form>`;
}

function checksTable(report: Report): string {
  const repeated = report.summary.repeat !== undefined;
  const rows = report.checks.map((c) => {
    const data = FILTERS.map((f) => `data-${f}="${escapeHtml(filterValue(c, f))}"`).join(" ");
    const link = c.verdict === "falsified" ? `<a href="#${anchor(c)}">${escapeHtml(c.line)}</a>` : escapeHtml(c.line || c.reason || "");
    return `<tr ${data}${c.verdict === "falsified" ? ' class="falsified"' : ""}><td><code>${escapeHtml(c.claim)}</code></td><td>${escapeHtml(c.suite)}</td><td>${escapeHtml(checkLabel(c))}</td><td>${verdictCell(c.verdict)}</td>${repeated ? `<td class="num">${c.repeat ? `${c.repeat.corroborated}/${c.repeat.runs}` : ""}</td>` : ""}<td>${link}</td></tr>`;
  });
  return `${filterControls(report.checks)}<table id="checks"><caption>Every check of the run</caption><thead><tr><th scope="col">claim</th><th scope="col">suite</th><th scope="col">subject</th><th scope="col">verdict</th>${repeated ? '<th scope="col" class="num">passed</th>' : ""}<th scope="col">observed</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

const anchor = (c: CheckResult) => `check-${c.fingerprint}`;

function falsifiedSection(report: Report): string {
  const falsified = report.checks.filter((c) => c.verdict === "falsified");
  if (falsified.length === 0) return "";
  const items = falsified.map((c) => {
    const claim = report.claims[c.claim];
    const statement = claim ? `<p class="muted">${escapeHtml(claim.statement)}</p>` : "";
    const diffs = tokenDiffs(c.evidence);
    const notes = (c.evidence?.notes ?? []).map((n) => `<li>${escapeHtml(n)}</li>`).join("");
    return `<section class="falsified-check" id="${anchor(c)}" aria-labelledby="${anchor(c)}-h"><h3 id="${anchor(c)}-h"><code>${escapeHtml(c.claim)}</code> ${escapeHtml(checkLabel(c))}</h3>${statement}<p><strong>${escapeHtml(c.line)}</strong>. ${escapeHtml(c.observed?.summary ?? "")}</p>${diffs}${notes ? `<ul>${notes}</ul>` : ""}${c.reproduction ? `<pre>${escapeHtml(c.reproduction)}</pre>` : ""}</section>`;
  });
  return `<h2 id="falsified">Falsified (${falsified.length})</h2>${items.join("")}`;
}

function blockedSection(report: Report): string {
  const blocked = report.checks.filter((c) => c.verdict === "blocked");
  if (blocked.length === 0) return "";
  const rows = blockedReasons(blocked).map((r) => `<tr><td class="num">${r.count}</td><td>${escapeHtml(r.reason)}</td></tr>`);
  return `<h2 id="blocked">Blocked (${blocked.length})</h2><table><caption>Why checks could not run, one row per reason</caption><thead><tr><th scope="col" class="num">checks</th><th scope="col">reason</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function changeRows(title: string, changes: VerdictChange[]): string {
  if (changes.length === 0) return "";
  const rows = changes.map((c) => `<tr><td>${escapeHtml(c.label)}</td><td>${c.from ?? "new"}</td><td>${verdictCell(c.to)}</td><td>${c.edited ? "claim or subject edited" : ""}</td></tr>`);
  return `<table><caption>${escapeHtml(title)} (${changes.length})</caption><thead><tr><th scope="col">check</th><th scope="col">was</th><th scope="col">is</th><th scope="col">note</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** gates --baseline: the verdict changes and moved observations since the baseline run. */
function diffSection(diff: RunDiff): string {
  const run = (r: RunDiff["old"]) => `${escapeHtml(r.name)} (${escapeHtml(r.gitSha ? r.gitSha.slice(0, 12) : "commit unknown")}, ${escapeHtml(r.time)})`;
  const moved = diff.moved.length
    ? `<table><caption>Observations that moved by more than ${diff.tolerance} of their bound (${diff.moved.length})</caption><thead><tr><th scope="col">check</th><th scope="col" class="num">was</th><th scope="col" class="num">is</th></tr></thead><tbody>${diff.moved.map((m) => `<tr><td>${escapeHtml(m.label)}</td><td class="num">${m.from}</td><td class="num">${m.to}</td></tr>`).join("")}</tbody></table>`
    : "";
  const body = [changeRows("Newly falsified", diff.newlyFalsified), changeRows("Newly corroborated", diff.newlyCorroborated), changeRows("Newly blocked", diff.newlyBlocked), moved].join("");
  const counts = `${diff.added.length} checks added, ${diff.removed.length} removed.`;
  return `<h2 id="diff">Since the baseline</h2><p class="muted">Baseline ${run(diff.old)}. ${counts}</p>${body || "<p>No verdict changed and no observation moved.</p>"}`;
}

/** Faults down, claims across: a filled cell where the fault falsified a check of the claim. */
export function teethMatrix(teeth: TeethReport): string {
  const claims = [...new Set(teeth.faults.flatMap((f) => f.caughtBy))].sort();
  const head = claims.map((c) => `<th scope="col" class="claim">${escapeHtml(c)}</th>`).join("");
  const rows = teeth.faults.map((f) => {
    const cells = claims.map((c) => (f.caughtBy.includes(c) ? `<td class="hit" aria-label="${escapeHtml(`${f.fault} caught by ${c}`)}">\u25cf</td>` : `<td class="miss"><span class="sr-only">not caught</span></td>`)).join("");
    return `<tr><th scope="row" title="${escapeHtml(f.description)}">${escapeHtml(f.fault)}${f.caughtBy.length === 0 ? ' <strong class="v-falsified">NOT CAUGHT</strong>' : ""}</th>${cells}</tr>`;
  });
  const s = teeth.summary;
  return `<h2 id="teeth">Teeth: ${s.caught} of ${s.faults} faults caught</h2><p class="muted">Clean engine: ${s.cleanFalsified} falsified, ${s.cleanBlocked} blocked.${teeth.problems.length ? ` Problems: ${escapeHtml(teeth.problems.join("; "))}` : ""}</p><div style="overflow-x:auto"><table class="matrix"><caption>Faults (rows) against the claims that caught them (columns)</caption><thead><tr><th scope="col">fault</th>${head}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

export function renderHtml(report: Report, extras: HtmlExtras = {}): string {
  const s = report.summary;
  const title = `refute: ${s.corroborated}/${s.total} corroborated (score ${formatScore(s)})`;
  const nav = [
    ["summary", "Summary"],
    ...(extras.diff ? [["diff", "Since the baseline"]] : []),
    ...(s.falsified ? [["falsified", "Falsified"]] : []),
    ...(s.blocked ? [["blocked", "Blocked"]] : []),
    ["checks-h", "Checks"],
    ...(extras.teeth ? [["teeth", "Teeth"]] : []),
    ...(extras.bench ? [["bench", "Bench"]] : []),
    ...(extras.history?.length ? [["history", "History"]] : []),
  ]
    .map(([id, name]) => `<a href="#${id}">${name}</a>`)
    .join(" · ");
  const body = [
    `<header><h1>${escapeHtml(title)}</h1><p class="run">${escapeHtml(runLine(report).replace(/\*\*/g, ""))}</p><nav aria-label="Sections">${nav}</nav></header>`,
    `<main><h2 id="summary">Summary</h2>${summaryTable(report)}`,
    extras.diff ? diffSection(extras.diff) : "",
    falsifiedSection(report),
    blockedSection(report),
    `<h2 id="checks-h">Checks</h2>${checksTable(report)}`,
    extras.teeth ? teethMatrix(extras.teeth) : "",
    extras.bench ? `<h2 id="bench">Bench</h2>${benchChart(extras.bench)}` : "",
    extras.history?.length ? `<h2 id="history">Score over the history</h2>${scoreHistoryChart(extras.history)}` : "",
    "</main>",
  ];
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body.join("\n")}<script>${SCRIPT}</script></body></html>\n`;
}
