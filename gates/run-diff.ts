// What changed between two runs: checks newly falsified, newly corroborated and newly blocked,
// checks added and removed, and observations that moved by more than a tolerance. A run is a
// report (latest.json: verdicts and observations) or a line of history.jsonl (verdicts and
// fingerprints only), so any two runs of the history can be compared. Checks are matched by
// id (claim, subject, prompts); a changed fingerprint means the claim or subject was edited
// between the runs, and the change says so.

import { RefuteError } from "../core/errors.ts";
import { checkLabel } from "./markdown.ts";
import type { Report, Verdict } from "./report.ts";
import type { HistoryLine } from "./write.ts";

export interface RunCheck {
  verdict: Verdict;
  fingerprint: string;
  label?: string; // "canary-int8-exact-text tiny-llama native q8_0 cpu embedded · code"
  value?: number; // a numeric observation
  bound?: number; // the prediction's numeric bound, the scale a move is measured on
}

export interface RunSnapshot {
  name: string; // where it came from: a file, a history line
  gitSha: string | null;
  time: string;
  checks: Map<string, RunCheck>;
}

export interface VerdictChange {
  id: string;
  label: string;
  from: Verdict | null; // null: the check is new
  to: Verdict;
  edited: boolean; // the fingerprint changed: the claim or subject is not the one the old run checked
}

export interface ObservationMove {
  id: string;
  label: string;
  from: number;
  to: number;
  /** |to - from| over the scale: the prediction's bound where it is a number, else |from|. */
  moved: number;
}

export interface RunDiff {
  old: { name: string; gitSha: string | null; time: string };
  new: { name: string; gitSha: string | null; time: string };
  tolerance: number;
  newlyFalsified: VerdictChange[];
  newlyCorroborated: VerdictChange[];
  newlyBlocked: VerdictChange[];
  added: VerdictChange[];
  removed: { id: string; label: string; verdict: Verdict }[];
  moved: ObservationMove[];
}

/** The default tolerance of an observation's move: a tenth of its claim's bound. */
export const DEFAULT_TOLERANCE = 0.1;

export function parseTolerance(value: string): number {
  const n = value.trim() === "" ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < 0) throw new RefuteError("E_USAGE", `--tolerance '${value}': expected a number >= 0 (a fraction of each claim's bound)`, { option: "tolerance", found: value });
  return n;
}

const VERDICT_LETTER: Record<Verdict, string> = { corroborated: "c", falsified: "f", blocked: "b" };
const LETTER_VERDICT: Record<string, Verdict> = { c: "corroborated", f: "falsified", b: "blocked" };

/** A history line's record of one check: verdict letter and fingerprint ("f:0123456789abcdef"). */
export function historyCheck(verdict: Verdict, fingerprint: string): string {
  return `${VERDICT_LETTER[verdict]}:${fingerprint}`;
}

export function snapshotOfReport(report: Report, name: string): RunSnapshot {
  const checks = new Map<string, RunCheck>();
  for (const c of report.checks) {
    const value = typeof c.observed?.value === "number" && Number.isFinite(c.observed.value) ? c.observed.value : undefined;
    const bound = typeof c.expected.bound === "number" && Number.isFinite(c.expected.bound) ? c.expected.bound : undefined;
    checks.set(c.id, { verdict: c.verdict, fingerprint: c.fingerprint, label: `${c.claim} ${checkLabel(c)}`, value, bound });
  }
  return { name, gitSha: report.run.gitSha, time: report.run.startedAt, checks };
}

/** null where the line predates per-check history (it has counts only). */
export function snapshotOfHistory(line: HistoryLine, name: string): RunSnapshot | null {
  if (!line.checks) return null;
  const checks = new Map<string, RunCheck>();
  for (const [id, record] of Object.entries(line.checks)) {
    const verdict = LETTER_VERDICT[record.slice(0, 1)];
    if (verdict && record[1] === ":") checks.set(id, { verdict, fingerprint: record.slice(2) });
  }
  return { name, gitSha: line.gitSha, time: line.time, checks };
}

export function diffRuns(old: RunSnapshot, next: RunSnapshot, tolerance: number): RunDiff {
  const diff: RunDiff = {
    old: { name: old.name, gitSha: old.gitSha, time: old.time },
    new: { name: next.name, gitSha: next.gitSha, time: next.time },
    tolerance,
    newlyFalsified: [],
    newlyCorroborated: [],
    newlyBlocked: [],
    added: [],
    removed: [],
    moved: [],
  };
  for (const [id, now] of next.checks) {
    const before = old.checks.get(id);
    const label = now.label ?? before?.label ?? id;
    const change: VerdictChange = { id, label, from: before?.verdict ?? null, to: now.verdict, edited: before !== undefined && before.fingerprint !== now.fingerprint };
    if (!before) diff.added.push(change);
    if (now.verdict !== before?.verdict) {
      if (now.verdict === "falsified") diff.newlyFalsified.push(change);
      else if (now.verdict === "blocked") diff.newlyBlocked.push(change);
      else if (before) diff.newlyCorroborated.push(change);
    }
    const moved = movement(before, now);
    if (moved !== null && moved > tolerance) diff.moved.push({ id, label, from: before?.value as number, to: now.value as number, moved });
  }
  for (const [id, before] of old.checks) if (!next.checks.has(id)) diff.removed.push({ id, label: before.label ?? id, verdict: before.verdict });
  return diff;
}

/** How far a numeric observation moved, on the scale of its bound; null where either run has no number. */
function movement(before: RunCheck | undefined, now: RunCheck): number | null {
  if (before?.value === undefined || now.value === undefined) return null;
  const scale = Math.abs(now.bound ?? before.bound ?? before.value);
  const delta = Math.abs(now.value - before.value);
  if (scale === 0) return delta === 0 ? 0 : Number.POSITIVE_INFINITY;
  return delta / scale;
}

/** The diff for a person: one section per kind of change, each line a check. */
export function renderDiff(diff: RunDiff): string {
  const run = (r: RunDiff["old"]) => `${r.name} (${r.gitSha ? r.gitSha.slice(0, 12) : "commit unknown"}, ${r.time})`;
  const lines = [`refute diff: ${run(diff.old)} -> ${run(diff.new)}`];
  const section = (title: string, changes: VerdictChange[]) => {
    if (changes.length === 0) return;
    lines.push(`${title} (${changes.length}):`, ...changes.map((c) => `  ${c.label}: ${c.from ?? "new"} -> ${c.to}${c.edited ? " (claim or subject edited)" : ""}`));
  };
  section("newly falsified", diff.newlyFalsified);
  section("newly corroborated", diff.newlyCorroborated);
  section("newly blocked", diff.newlyBlocked);
  if (diff.moved.length) lines.push(`moved by more than ${diff.tolerance} of their bound (${diff.moved.length}):`, ...diff.moved.map((m) => `  ${m.label}: ${m.from} -> ${m.to}`));
  if (diff.added.length) lines.push(`added: ${diff.added.length} checks`);
  if (diff.removed.length) lines.push(`removed (${diff.removed.length}):`, ...diff.removed.map((r) => `  ${r.label} (was ${r.verdict})`));
  if (lines.length === 1) lines.push("no verdict changed and no observation moved");
  return lines.join("\n");
}
