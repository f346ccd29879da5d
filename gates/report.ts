// The result of a run as data: one CheckResult per check, a summary overall and per suite,
// the claims that were checked (so a report stands alone: tickets need no YAML), and the
// run's metadata. gates/report.schema.json is the published shape; gates/write.ts renders it.

import { execFileSync } from "node:child_process";
import { cpus, hostname, totalmem, arch, platform } from "node:os";
import type { SubjectSpec } from "../runtimes/runtime.ts";
import type { Evidence } from "../measures/measure.ts";
import { claimQuantity, type Claim, type Prediction } from "./claims.ts";
import { describeExpected, type Expected, type Observed } from "./judge.ts";

export type Verdict = "corroborated" | "falsified" | "blocked";

export interface CheckResult {
  id: string;
  claim: string;
  suite: string;
  measure: string;
  severity: Claim["severity"];
  subject: SubjectSpec;
  against?: SubjectSpec;
  prompts: string[];
  /** The prompts' texts, in the order of `prompts` (absent when the oracle's prompt files could not be read). */
  promptTexts?: string[];
  /** What the runner converted for the subject's runtime (a native model run as the engine's GGUF export). */
  conversion?: string;
  /** For a falsified generation check: the runtime's request as a standalone command (Runtime.reproduction). */
  reproduction?: string;
  group: string;
  fingerprint: string;
  verdict: Verdict;
  expected: Expected;
  observed: Observed | null; // null when blocked
  evidence: Evidence | null; // null when blocked
  line: string; // the verdict in one line: "mismatched tokens = 7 > 5"
  /** Why a blocked check could not run; `[CODE]` prefix when the error had a code. */
  reason?: string;
  /** The reason without the subject and request it was met on: what one misconfiguration has in common across its checks. */
  cause?: string;
  /** unavailable: the subject said it cannot run here (BlockedError); error: anything else that was thrown. */
  blockedBy?: "unavailable" | "error";
  /** gates --repeat N: how many of the N runs gave each verdict (the check's verdict is the worst of them). */
  repeat?: RepeatCounts;
  durationMs: number;
}

export interface RepeatCounts {
  runs: number;
  corroborated: number;
  falsified: number;
  blocked: number;
}

export interface Summary {
  total: number;
  corroborated: number;
  falsified: number;
  blocked: number;
  score: number | null; // corroborated / total; null when nothing ran
  /** gates --repeat N: the mean per-check pass rate, and pass^N, the fraction of checks corroborated in all N runs. */
  repeat?: { runs: number; passRate: number; passAll: number };
}

export interface ClaimInfo {
  suite: string;
  expected: string; // the prediction in words: "mismatched tokens <= 5"
  statement: string;
  rationale: string;
  measure: string;
  prediction: Prediction;
  severity: Claim["severity"];
  references: string[];
  file: string;
}

export interface RunInfo {
  gitSha: string | null;
  startedAt: string; // ISO 8601
  finishedAt: string;
  durationMs: number;
  machine: { hostname: string; platform: string; arch: string; cpus: number; cpuModel: string; memoryGiB: number };
  node: string;
  backends: string[];
  runtimes: string[];
  inject: string | null;
  oracle: string;
  /** The claim files' directory the run read (absent in reports older than it). */
  claims?: string;
  /** The project config the run read, if any: its models and runtimes are part of a reproduction. */
  config?: string | null;
  /** The runtimes' settings from the environment (REFUTE_*), secrets redacted: what a reproduction must set. */
  settings?: Record<string, string>;
  /** The options that selected and shaped this run, as they would be given on the command line. */
  args: string[];
  shard: string | null; // "2/4"
  /** Problems that did not change a verdict, such as a runtime that failed to close. */
  warnings: string[];
  /** For a merged report: the shards it was merged from. */
  mergedFrom?: string[];
}

export interface Report {
  schemaVersion: 1;
  tool: "refute";
  run: RunInfo;
  summary: Summary;
  suites: Record<string, Summary>;
  claims: Record<string, ClaimInfo>;
  checks: CheckResult[];
}

export function summarize(results: Array<Pick<CheckResult, "verdict" | "repeat">>): Summary {
  const count = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  const total = results.length;
  const corroborated = count("corroborated");
  const summary: Summary = { total, corroborated, falsified: count("falsified"), blocked: count("blocked"), score: total === 0 ? null : corroborated / total };
  const repeated = results.flatMap((r) => (r.repeat ? [r.repeat] : []));
  if (repeated.length > 0 && repeated.length === total) {
    summary.repeat = {
      runs: Math.max(...repeated.map((r) => r.runs)),
      passRate: repeated.reduce((sum, r) => sum + r.corroborated / r.runs, 0) / total,
      passAll: repeated.filter((r) => r.corroborated === r.runs).length / total,
    };
  }
  return summary;
}

/** The verdict of a check run several times: falsified if any run was, else blocked if any was, else corroborated. */
export function worstVerdict(counts: RepeatCounts): Verdict {
  return counts.falsified > 0 ? "falsified" : counts.blocked > 0 ? "blocked" : "corroborated";
}

export function suiteSummaries(results: CheckResult[]): Record<string, Summary> {
  const suites: Record<string, Summary> = {};
  for (const suite of [...new Set(results.map((r) => r.suite))]) suites[suite] = summarize(results.filter((r) => r.suite === suite));
  return suites;
}

export function claimInfo(c: Claim): ClaimInfo {
  return {
    suite: c.suite,
    expected: describeExpected(claimQuantity(c), c.prediction),
    statement: c.statement,
    rationale: c.rationale,
    measure: c.measure,
    prediction: c.prediction,
    severity: c.severity,
    references: c.references,
    file: c.file,
  };
}

export function buildReport(results: CheckResult[], claims: Record<string, ClaimInfo>, run: RunInfo): Report {
  return { schemaVersion: 1, tool: "refute", run, summary: summarize(results), suites: suiteSummaries(results), claims, checks: results };
}

/**
 * 0: nothing falsified; 1: something falsified; 2: every check blocked (nothing ran: a
 * configuration problem, not a result); 3: with --strict, blocked checks and nothing falsified.
 */
export function exitCodeFor(summary: Summary, strict: boolean): 0 | 1 | 2 | 3 {
  if (summary.falsified > 0) return 1;
  if (summary.total > 0 && summary.blocked === summary.total) return 2;
  if (strict && summary.blocked > 0) return 3;
  return 0;
}

/** The blocked checks' causes (their reasons without the subject), most common first, with how many checks each blocked. */
export function blockedReasons(checks: CheckResult[]): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const c of checks) {
    const cause = c.cause ?? c.reason ?? "";
    if (c.verdict === "blocked") counts.set(cause, (counts.get(cause) ?? 0) + 1);
  }
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

export function gitSha(cwd = "."): string | null {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || null;
  } catch {
    return null;
  }
}

export function machineInfo(): RunInfo["machine"] {
  const list = cpus();
  return {
    hostname: hostname(),
    platform: platform(),
    arch: arch(),
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}
