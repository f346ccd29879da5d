// Writes a report's files into a directory, each atomically (core/atomic-write.ts), so a
// reader never sees half a file, and in an order a kill at any moment leaves consistent: every
// file is first written beside its target; then the run's line is appended to history.jsonl;
// then latest.json is renamed into place, then the files rendered from it. So the run in
// latest.json is always in history.jsonl, and a kill mid-way leaves at worst a latest.md of
// the previous run beside the new latest.json (publish renders every file from latest.json
// anew). Temporaries of writers killed earlier are removed first.
//
//   latest.json   the Report, checked against gates/report.schema.json before it is written
//   latest.md     for people          junit.xml   for CI viewers
//   badge.json    shields endpoint    badge.svg   the same badge, offline
//   report.html   for people who would rather look (gates/html.ts), with the directory's
//                 history, teeth and bench where it has them
//   diff.json     with --baseline: what changed since it (gates/run-diff.ts)
//   history.jsonl one line appended per run, with each check's verdict and fingerprint

import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv } from "ajv";
import { removeStaleTemporaries, type StagedFile, stageAtomic, writeAtomic } from "../core/atomic-write.ts";
import { RefuteError } from "../core/errors.ts";
import { badgeFor, badgeSvg } from "./badge.ts";
import { renderHtml } from "./html.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";
import type { Report } from "./report.ts";
import { historyCheck, type RunDiff } from "./run-diff.ts";
import { readRunExtras } from "./run-extras.ts";
import reportSchema from "./report.schema.json" with { type: "json" };

export const validateReport = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(reportSchema);

export interface HistoryLine {
  gitSha: string | null;
  time: string;
  machine: string;
  total: number;
  corroborated: number;
  falsified: number;
  blocked: number;
  score: number | null;
  inject: string | null;
  shard: string | null;
  /** Per check id, its verdict and fingerprint (gates/run-diff.ts historyCheck); absent in lines older than it. */
  checks?: Record<string, string>;
}

export function historyLine(report: Report): HistoryLine {
  const { run, summary } = report;
  return {
    gitSha: run.gitSha,
    time: run.startedAt,
    machine: run.machine.hostname,
    total: summary.total,
    corroborated: summary.corroborated,
    falsified: summary.falsified,
    blocked: summary.blocked,
    score: summary.score,
    inject: run.inject,
    shard: run.shard,
    checks: Object.fromEntries(report.checks.map((c) => [c.id, historyCheck(c.verdict, c.fingerprint)])),
  };
}

/**
 * Where a run writes unless told otherwise: git-ignored, so a run leaves the tree clean. The
 * committed reports/ (scoreboard, badge, history, teeth, bench) change only through
 * `refute report publish`, which copies a run directory's outputs there.
 */
export const RUN_DIR = "reports/runs/latest";

/** Writes every report file into `dir` (created if needed); returns the paths written. */
export async function writeReports(report: Report, dir: string, options: { history?: boolean; diff?: RunDiff } = {}): Promise<string[]> {
  const json = JSON.stringify(report, null, 2) + "\n";
  // Validate what will be read back (NaN becomes null in JSON), not the object in memory.
  if (!validateReport(JSON.parse(json))) {
    const problems = (validateReport.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).slice(0, 10);
    throw new RefuteError("E_REPORT_SCHEMA", `report does not match gates/report.schema.json: ${problems.join("; ")}`, { problems });
  }
  await mkdir(dir, { recursive: true });
  await removeStaleTemporaries(dir);
  const badge = badgeFor(report.summary);
  const history = options.history ?? true;
  const line = historyLine(report);
  const extras = await readRunExtras(dir);
  const html = renderHtml(report, { ...extras, ...(history ? { history: [...(extras.history ?? []), line] } : {}), ...(options.diff ? { diff: options.diff } : {}) });
  const files: Array<[string, string]> = [
    ["latest.json", json],
    ["latest.md", renderMarkdown(report)],
    ["junit.xml", renderJunit(report)],
    ["badge.json", JSON.stringify(badge, null, 2) + "\n"],
    ["badge.svg", badgeSvg(badge)],
    ["report.html", html],
    ...(options.diff ? ([["diff.json", JSON.stringify(options.diff, null, 2) + "\n"]] as Array<[string, string]>) : []),
  ];
  const staged: StagedFile[] = [];
  try {
    for (const [name, content] of files) staged.push(await stageAtomic(join(dir, name), content));
  } catch (e) {
    await Promise.all(staged.map((f) => f.abort()));
    throw e;
  }
  // One line with O_APPEND: concurrent runs interleave whole lines, never bytes.
  if (history) await appendFile(join(dir, "history.jsonl"), JSON.stringify(line) + "\n");
  for (let i = 0; i < staged.length; i++) {
    try {
      await staged[i].commit();
    } catch (e) {
      // the files after the one that failed stay as they were, their temporaries removed
      await Promise.all(staged.slice(i + 1).map((f) => f.abort()));
      throw e;
    }
  }
  return [...files.map(([name]) => join(dir, name)), ...(history ? [join(dir, "history.jsonl")] : [])];
}

/**
 * Renders `dir`/report.html again from the run there (latest.json) with what the directory
 * holds now, after a teeth run or a bench wrote beside it; returns the file, or null where the
 * directory has no run (nothing to show the matrix or the charts beside).
 */
export async function refreshHtml(dir: string): Promise<string | null> {
  let report: Report;
  try {
    report = await readReport(join(dir, "latest.json"));
  } catch {
    return null;
  }
  const file = join(dir, "report.html");
  await writeAtomic(file, renderHtml(report, await readRunExtras(dir)));
  return file;
}

/** Reads and validates a report written by writeReports (E_REPORT_* errors otherwise). */
export async function readReport(file: string): Promise<Report> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === "ENOENT" ? "E_REPORT_MISSING" : "E_REPORT_INVALID";
    throw new RefuteError(code, `cannot read report ${file}: ${(e as Error).message}`, { file });
  }
  if (!validateReport(doc)) {
    const problems = (validateReport.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).slice(0, 10);
    throw new RefuteError("E_REPORT_SCHEMA", `${file} does not match gates/report.schema.json: ${problems.join("; ")}`, { file, problems });
  }
  return doc as unknown as Report;
}
