// The teeth run: proof that every claim can fail. First the clean engine, which must
// corroborate every check it can run; then each fault of the catalogue injected in turn.
// A fault no claim refutes, or a claim whose `catches` names a fault it did not refute,
// fails the run; a claim that refutes no fault at all is flagged.

import { RefuteError } from "../core/errors.ts";
import { FAULT_NAMES, FAULTS } from "../core/faults.ts";
import { HookReads, type HookReadsRecord, type SubjectOperation } from "../core/hook-reads.ts";
import { CheckUses, type CheckUsesRecord } from "./check-uses.ts";
import type { RuntimeFactory } from "./cache.ts";
import { shardChecks, type Check, type Shard } from "./expand.ts";
import type { CheckResult } from "./report.ts";
import { measures } from "../measures/index.ts";
import { loadClaims } from "./claims.ts";
import { type ClaimPower, powerOf } from "./power.ts";
import { planFromClaims, runChecks, type GateOptions } from "./run.ts";

export interface FaultOutcome {
  fault: string;
  description: string;
  caughtBy: string[]; // claims with a check falsified under the fault that the clean engine did not falsify
  blocked: string[]; // claims with a check that could not run under the fault but ran clean
  /**
   * notRun: checks of a claim left unrun once another check of it had refuted the fault (a claim
   * refutes a fault once); reused: checks that kept their clean verdict, the fault unable to change their subjects.
   */
  checks: { falsified: number; corroborated: number; blocked: number; notRun: number; reused: number };
  durationMs: number; // the fault's pass, wall clock
  slowest: { claim: string; ms: number }[]; // the three claims whose checks took longest under the fault (where its pass spends its time)
}

export interface TeethReport {
  /** reusedChecks: fault checks that kept their clean verdict, their subject having read none of the fault's hooks. */
  summary: { faults: number; caught: number; claims: number; cleanFalsified: number; cleanBlocked: number; reusedChecks: number; passed: boolean };
  clean: { falsified: string[]; blocked: string[] };
  faults: FaultOutcome[];
  cleanDurationMs: number; // the clean pass, wall clock
  /** For every graded kind of fault that ran, each claim's power against it (core/faults.ts GRADED_FAULTS). */
  power: ClaimPower[];
  claims: { claim: string; catches: string[]; refuted: string[]; missing: string[]; catchesNothing: boolean }[];
  problems: string[];
  /** the commit the run was made at, as written to teeth.json (absent from older files) */
  gitSha?: string | null;
}

export interface TeethOptions extends Omit<GateOptions, "factory" | "inject"> {
  /** A fresh runtime factory per pass, so models prepared under one fault are dropped after it; the clean pass's records the hooks its engine reads in `hookReads`. */
  newFactory: (hookReads?: HookReads) => RuntimeFactory;
  /** The hooks each fault sets (runtimes/fault-hooks.ts); with it, a check whose subject read none of them in the clean pass keeps its clean verdict instead of running again. */
  faultHooks?: (fault: string) => string[];
  faults?: string[]; // default: the whole catalogue
  onPass?: (label: string, done: number, total: number) => void;
  /** The clean pass, run elsewhere in shards (runCleanShard): this run runs only the faults' passes. */
  clean?: CleanRecord[];
}

/** Of a check's clean result, what a fault's pass reads: its verdict. */
type CleanVerdict = Pick<CheckResult, "id" | "claim" | "verdict">;

/**
 * A shard of the clean pass, as `gates --teeth --jobs N` hands it between processes: the
 * verdicts of its checks, the hooks its subjects read, its wall time. The shards of one
 * partition, together, are the whole clean pass: the union of their hook reads is what one
 * process would have recorded (reads are per subject, unions over the subject's checks).
 */
export interface CleanRecord {
  results: CleanVerdict[];
  hookReads: HookReadsRecord;
  uses: CheckUsesRecord;
  durationMs: number;
}

// The runtimes whose engine records its hook reads (runtimes/embedded.ts, refute-serve.ts); a check on any other runs under every fault.
const RECORDING_RUNTIMES = new Set(["embedded", "refute-serve"]);

const isTiming = (check: Check) => measures.get(check.claim.measure)?.needs.includes("benchmark") === true;

const claimsWith = (results: Pick<CheckResult, "claim" | "verdict">[], verdict: CheckResult["verdict"]) => [...new Set(results.filter((r) => r.verdict === verdict).map((r) => r.claim))].sort();

/** The three claims whose checks that ran took longest, with their time. */
function slowestClaims(ran: CheckResult[]): { claim: string; ms: number }[] {
  const ms = new Map<string, number>();
  for (const r of ran) ms.set(r.claim, (ms.get(r.claim) ?? 0) + r.durationMs);
  return [...ms.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([claim, t]) => ({ claim, ms: t }));
}

function count(results: Pick<CheckResult, "verdict">[], notRun = 0, reused = 0) {
  const n = (v: CheckResult["verdict"]) => results.filter((r) => r.verdict === v).length;
  return { falsified: n("falsified"), corroborated: n("corroborated"), blocked: n("blocked"), notRun, reused };
}

/** The claims, read once: a pass must not see claim files that change while the run goes on. */
const loadTeethClaims = (options: TeethOptions) => loadClaims(options.claimsDir ?? "claims", { oracleDir: options.oracleDir, config: options.config, models: options.select?.models });

/** A pass's checks; timing claims (perf) only when a suite or claim selection asks for them. */
function passChecks(loaded: Awaited<ReturnType<typeof loadTeethClaims>>, options: TeethOptions, inject: string | undefined): Check[] {
  // Timing claims measure speed, not correctness: the catalogue's faults are correctness bugs, and a timing pass under each would cost minutes. They run when asked for by suite or claim.
  const timingsAsked = (options.select?.suites ?? []).includes("perf") || (options.select?.claims ?? []).length > 0;
  return planFromClaims(loaded, { ...options, inject }).filter((c) => timingsAsked || !isTiming(c));
}

/** The clean pass records what each subject's operations read and which operations each check asked. */
const cleanPassOptions = (options: TeethOptions, hookReads: HookReads, uses: CheckUses) => ({
  ...options,
  factory: options.newFactory(hookReads),
  onUse: (check: Check, subject: Check["subject"], operation: SubjectOperation) => uses.record(check.id, subject, operation),
});

/** Shard `shard` of the clean pass (`gates --teeth --jobs N` runs the N shards in N processes, then the faults against their union). */
export async function runCleanShard(options: TeethOptions, shard: Shard): Promise<CleanRecord> {
  const checks = shardChecks(passChecks(await loadTeethClaims(options), options, undefined), shard);
  const hookReads = new HookReads();
  const uses = new CheckUses();
  const started = performance.now();
  const { results } = await runChecks(checks, cleanPassOptions(options, hookReads, uses));
  return { results: results.map(({ id, claim, verdict }) => ({ id, claim, verdict })), hookReads: hookReads.toRecord(), uses: uses.toRecord(), durationMs: Math.round(performance.now() - started) };
}

export async function runTeeth(options: TeethOptions): Promise<TeethReport> {
  const faults = options.faults ?? FAULT_NAMES;
  const total = faults.length + (options.clean ? 0 : 1);
  const loaded = await loadTeethClaims(options);
  let hookReads = new HookReads();
  let uses = new CheckUses();
  let cleanById = new Map<string, CleanVerdict>();
  let cleanFalsified = new Set<string>();
  const pass = async (inject: string): Promise<{ results: CleanVerdict[]; reused: number; notRun: number; ran: CheckResult[] }> => {
    const checks = passChecks(loaded, options, inject);
    // Only what the fault can change runs again: a check for which neither its subjects' loads nor the operations it asked of them read any of the fault's hooks clean (or only source hooks whose transform left their sources as they were) computes what it computed clean.
    const hooks = options.faultHooks?.(inject);
    // A subject the check asked nothing of clean may (that check stopped early, or asks it later).
    const mayChange = (check: Check, subject: Check["subject"]) => {
      if (!RECORDING_RUNTIMES.has(subject.runtime)) return true;
      const operations = uses.operations(check.id, subject);
      return operations === undefined || hookReads.mayChange(subject, hooks ?? [], inject, operations);
    };
    const rerun = hooks ? checks.filter((c) => !cleanById.has(c.id) || mayChange(c, c.subject) || (c.against !== undefined && mayChange(c, c.against))) : checks;
    const rerunIds = new Set(rerun.map((c) => c.id));
    // Verdicts are all a fault pass reads, and one refuting check is the claim's answer: the rest of that claim is left unrun.
    // (A reused check keeps its clean verdict, so it never refutes.)
    const refuted = new Set<string>();
    const { results } = await runChecks(rerun, {
      ...options,
      factory: options.newFactory(),
      evidence: "verdict",
      shouldRun: (c) => !refuted.has(c.claim.id),
      onResult: (r, done, total) => {
        if (r.verdict === "falsified" && !cleanFalsified.has(r.id)) refuted.add(r.claim);
        options.onResult?.(r, done, total);
      },
    });
    const ran = new Map<string, CleanVerdict>(results.map((r) => [r.id, r]));
    const kept = checks.flatMap((c) => ran.get(c.id) ?? (rerunIds.has(c.id) ? [] : [cleanById.get(c.id) as CleanVerdict]));
    return { results: kept, reused: checks.length - rerun.length, notRun: checks.length - kept.length, ran: results };
  };

  const cleanChecks = passChecks(loaded, options, undefined);
  let clean: CleanVerdict[];
  let cleanDurationMs: number;
  if (options.clean) {
    clean = options.clean.flatMap((r) => r.results);
    hookReads = HookReads.fromRecords(options.clean.map((r) => r.hookReads));
    uses = CheckUses.fromRecords(options.clean.map((r) => r.uses));
    cleanDurationMs = Math.max(0, ...options.clean.map((r) => r.durationMs));
    const shardIds = new Set(clean.map((r) => r.id));
    const missing = cleanChecks.filter((c) => !shardIds.has(c.id));
    if (missing.length > 0 || clean.length !== cleanChecks.length) {
      throw new RefuteError("E_TEETH_WORKER", `the clean shards have ${clean.length} checks where the clean pass has ${cleanChecks.length}${missing.length ? ` (missing ${missing[0].id})` : ""}`, { shards: clean.length, checks: cleanChecks.length });
    }
  } else {
    options.onPass?.("clean", 1, total);
    const started = performance.now();
    clean = (await runChecks(cleanChecks, cleanPassOptions(options, hookReads, uses))).results;
    cleanDurationMs = Math.round(performance.now() - started);
  }
  cleanById = new Map(clean.map((r) => [r.id, r]));
  const catchesOf = new Map(cleanChecks.map((c) => [c.claim.id, c.claim.catches]));
  // A check the clean engine already falsifies (or cannot run) does so under every fault too:
  // it catches none of them, and its being blocked is not the fault's doing.
  const cleanIds = (verdict: CheckResult["verdict"]) => new Set(clean.filter((r) => r.verdict === verdict).map((r) => r.id));
  cleanFalsified = cleanIds("falsified");
  const cleanBlocked = cleanIds("blocked");
  const outcomes: FaultOutcome[] = [];
  let reusedChecks = 0;
  for (const [i, fault] of faults.entries()) {
    options.onPass?.(fault, total - faults.length + i + 1, total); // after the clean pass, where this run has one
    const started = performance.now();
    const { results, reused, notRun, ran } = await pass(fault);
    reusedChecks += reused;
    outcomes.push({
      fault,
      description: FAULTS[fault as keyof typeof FAULTS] ?? "",
      caughtBy: claimsWith(results.filter((r) => !cleanFalsified.has(r.id)), "falsified"),
      blocked: claimsWith(results.filter((r) => !cleanBlocked.has(r.id)), "blocked"),
      checks: count(results, notRun, reused),
      durationMs: Math.round(performance.now() - started),
      slowest: slowestClaims(ran),
    });
  }

  const cleanCounts = count(clean);
  return assembleTeeth({
    clean: { falsified: claimsWith(clean, "falsified"), blocked: claimsWith(clean, "blocked"), falsifiedChecks: cleanCounts.falsified, blockedChecks: cleanCounts.blocked },
    catches: catchesOf,
    outcomes,
    faults,
    reusedChecks,
    cleanDurationMs,
  });
}

/** What a teeth run found, before it is judged: the clean pass's verdicts, each claim's catches, each fault's outcome. */
interface TeethParts {
  clean: { falsified: string[]; blocked: string[]; falsifiedChecks: number; blockedChecks: number };
  catches: Map<string, string[]>;
  outcomes: FaultOutcome[];
  faults: string[]; // the faults asked for, in order
  reusedChecks: number;
  cleanDurationMs: number;
}

/** The report of a teeth run from its parts: which claims refuted which fault, and what is a problem. */
function assembleTeeth(parts: TeethParts): TeethReport {
  const { clean, outcomes, faults } = parts;
  const claims = [...parts.catches.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([claim, catches]) => {
    const refuted = outcomes.filter((o) => o.caughtBy.includes(claim)).map((o) => o.fault);
    return { claim, catches, refuted, missing: catches.filter((f) => faults.includes(f) && !refuted.includes(f)), catchesNothing: refuted.length === 0 };
  });
  const problems = [
    ...clean.falsified.map((c) => `clean engine falsifies ${c}`),
    ...outcomes.filter((o) => o.caughtBy.length === 0).map((o) => `fault ${o.fault} is caught by no claim`),
    ...claims.flatMap((c) => c.missing.map((f) => `claim ${c.claim} lists ${f} in catches but did not refute it`)),
    ...claims.flatMap((c) => c.catches.filter((f) => !(f in FAULTS)).map((f) => `claim ${c.claim} lists ${f}, which is not in the fault catalogue`)),
  ];
  return {
    summary: {
      faults: outcomes.length,
      caught: outcomes.filter((o) => o.caughtBy.length > 0).length,
      claims: claims.length,
      cleanFalsified: clean.falsifiedChecks,
      cleanBlocked: clean.blockedChecks,
      reusedChecks: parts.reusedChecks,
      passed: problems.length === 0,
    },
    clean: { falsified: clean.falsified, blocked: clean.blocked },
    faults: outcomes,
    cleanDurationMs: parts.cleanDurationMs,
    claims,
    power: powerOf(outcomes, claims.map((c) => c.claim)),
    problems,
  };
}

/**
 * One report from the reports of teeth runs that split the faults between them (gates --teeth
 * --jobs N: one process per share, all against the same clean pass, from the same shards).
 */
export function mergeTeeth(reports: TeethReport[], faults: string[]): TeethReport {
  if (reports.length === 0) throw new RefuteError("E_MERGE", "a teeth merge needs at least one report");
  const [first] = reports;
  const byFault = new Map(reports.flatMap((r) => r.faults.map((f) => [f.fault, f] as const)));
  const missing = faults.filter((f) => !byFault.has(f));
  if (missing.length > 0) throw new RefuteError("E_MERGE", `the teeth workers' reports lack faults ${missing.join(", ")}`, { faults: missing });
  return assembleTeeth({
    clean: { falsified: first.clean.falsified, blocked: first.clean.blocked, falsifiedChecks: first.summary.cleanFalsified, blockedChecks: first.summary.cleanBlocked },
    catches: new Map(first.claims.map((c) => [c.claim, c.catches])),
    outcomes: faults.map((f) => byFault.get(f) as FaultOutcome),
    faults,
    reusedChecks: reports.reduce((n, r) => n + r.summary.reusedChecks, 0),
    cleanDurationMs: first.cleanDurationMs,
  });
}

const seconds = (ms: number | undefined) => `${Math.round((ms ?? 0) / 1000)} s`;

/** The wall time of every fault's pass, added up (a report from before times were kept counts 0). */
export const faultPassesMs = (report: TeethReport): number => report.faults.reduce((t, f) => t + (f.durationMs ?? 0), 0);

/** The fault x claim matrix: X where the claim refuted the fault, . where it held, b where blocked. */
export function teethMarkdown(report: TeethReport): string {
  const s = report.summary;
  const claims = report.claims.map((c) => c.claim);
  const lines = [
    "# Teeth: every fault against every claim",
    "",
    `${s.caught}/${s.faults} faults caught; clean engine: ${s.cleanFalsified} falsified, ${s.cleanBlocked} blocked checks; ${s.passed ? "passed" : "FAILED"}.`,
    "",
    `Clean pass ${seconds(report.cleanDurationMs)}, the faults' passes ${seconds(faultPassesMs(report))} in all.`,
    "",
    "Columns are claims (numbered below); X: the claim refuted the fault, b: blocked under it.",
    "",
    `| fault | caught by | ${claims.map((_, i) => i + 1).join(" | ")} |`,
    `|---|---|${claims.map(() => "---").join("|")}|`,
    ...report.faults.map((f) => `| ${f.fault} | ${f.caughtBy.length} | ${claims.map((c) => (f.caughtBy.includes(c) ? "X" : f.blocked.includes(c) ? "b" : ".")).join(" | ")} |`),
    "",
    ...claims.map((c, i) => `${i + 1}. \`${c}\`${report.claims[i].catchesNothing ? " (catches no fault)" : ""}`),
  ];
  const families = [...new Set((report.power ?? []).map((p) => p.family))];
  for (const family of families) {
    const rows = report.power.filter((p) => p.family === family);
    lines.push("", `## Power against ${family} (${rows[0].what})`, "", "The finest magnitude each claim refuted; claims that refuted none are left out.", "", "| claim | finest refuted | refuted |", "|---|---:|---|");
    lines.push(...rows.map((p) => `| \`${p.claim}\` | ${p.finest} | ${p.refuted.join(", ")} |`));
  }
  if (report.problems.length) lines.push("", "## Problems", "", ...report.problems.map((p) => `- ${p}`));
  return lines.join("\n") + "\n";
}
