// `refute gates`: run the claims and report verdicts, and the claim-file tools.
//
//   refute gates [run] [options]     run checks, write reports, exit 0 / 1 / 2 / 3
//   refute gates validate            validate claims/*.yaml (exit 0, or 2 with problems)
//   refute gates list [options]      print the checks a run with these options would run
//   refute gates claims-md [--check] write CLAIMS.md from the claims (or check it is current)
//   refute gates schema [--check]    write claims/schema.json from the measure registry (or check it)

import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { Option, type Command } from "commander";
import { writeAtomic } from "../core/atomic-write.ts";
import { RefuteError } from "../core/errors.ts";
import { FAULT_NAMES } from "../core/faults.ts";
import { CONFIG_FILE, findConfig, type ProjectConfig } from "../core/config.ts";
import { BACKENDS, QUANTS, RUNTIMES, type Backend, type RuntimeName } from "../core/vocabulary.ts";
import type { RuntimeFactory } from "../gates/cache.ts";
import { claimSchemaText } from "../gates/claim-schema.ts";
import { formatProblem, readClaims } from "../gates/claims.ts";
import { readAdr, renderClaimsMd } from "../gates/claims-md.ts";
import { parseShard } from "../gates/expand.ts";
import { balancedShares, faultDurations } from "../gates/teeth-shares.ts";
import { checkLabel, formatScore } from "../gates/markdown.ts";
import { progressLine } from "../gates/progress.ts";
import { blockedReasons, exitCodeFor, gitSha, type Report } from "../gates/report.ts";
import { planChecks, runGates, type GateOptions } from "../gates/run.ts";
import { readRun } from "../gates/read-run.ts";
import { DEFAULT_TOLERANCE, diffRuns, parseTolerance, renderDiff, type RunDiff, snapshotOfReport } from "../gates/run-diff.ts";
import type { HookReads } from "../core/hook-reads.ts";
import { type CleanRecord, faultPassesMs, mergeTeeth, runCleanShard, runTeeth, teethMarkdown, type TeethOptions, type TeethReport } from "../gates/teeth.ts";
import { RUN_DIR, refreshHtml, writeReports } from "../gates/write.ts";
import { measures } from "../measures/index.ts";
import { onRun, refuteCommand, runCommand, type Output } from "./command.ts";
import { skipContract } from "./contract-option.ts";
import { replacementNote } from "../gates/partial-run.ts";
import { positiveInteger, repeatable, withoutOptions } from "./options.ts";
import { reportCommand } from "./report.ts";

/** What the runtimes are made with: the engine's and llama.cpp's threads when --threads gives them, whether the engine skips the contract gate, and the config's runtimes. */
export interface RuntimeSettings {
  threads?: number;
  skipContract?: boolean;
  config?: ProjectConfig;
  hookReads?: HookReads; // the teeth run's clean pass records the engine's hook reads
}

export interface GatesDeps extends Output {
  /** Where runtimes come from; the default loads runtimes/index.ts's defaultRuntimeFactory(settings). */
  factory: (settings: RuntimeSettings) => Promise<RuntimeFactory>;
  /** One process of a `--teeth --jobs N` run: `refute gates` with these arguments (--teeth and its --reports among them), which writes its result there; the default runs it in a child process. */
  teethWorker?: (args: string[]) => Promise<void>;
}

/**
 * The runtime factory of runtimes/index.ts: defaultRuntimeFactory(settings): (name) => Runtime.
 * Loaded lazily, so validate/list/claims-md never load the engine. If loading fails, the
 * run still completes: every check is blocked with the loading error as its reason.
 */
export async function loadDefaultFactory(settings: RuntimeSettings): Promise<RuntimeFactory> {
  try {
    const { defaultRuntimeFactory } = await import("../runtimes/index.ts");
    return defaultRuntimeFactory(settings);
  } catch (e) {
    return () => {
      throw e;
    };
  }
}

const defaultDeps: GatesDeps = {
  factory: loadDefaultFactory,
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : t + "\n"),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
};

export function run(argv: string[]): Promise<number> {
  return gatesCommand(argv, defaultDeps);
}

interface SelectionOptions {
  config?: string;
  suite?: string[];
  claim?: string[];
  model?: string[];
  quant?: string[];
  shard?: string;
  backend?: Backend;
  runtime?: RuntimeName;
  inject?: string;
  claims?: string;
  oracle?: string;
  json?: boolean;
}

interface RunOptions extends SelectionOptions {
  threads?: number;
  skipContract?: boolean;
  teeth?: boolean;
  fault?: string[];
  jobs: number;
  teethCleanShard?: string;
  teethClean?: string[];
  reports?: string;
  concurrency: number;
  strict?: boolean;
  baseline?: string;
  failOn: "falsified" | "regression";
  tolerance: string;
  repeat: number;
}

const RUN_DESCRIPTION = `Runs the claims in claims/*.yaml as checks and reports a verdict for each: corroborated, falsified (with expected, observed and evidence) or blocked (with the reason).
Exit codes: 0 nothing falsified (blocked checks lower the score), 1 something falsified, 2 usage or configuration error, or every check blocked (nothing ran), 3 with --strict: blocked and nothing falsified.`;

/** The options that choose checks, shared by run and list. */
function withSelectionOptions(command: Command, json: string): Command {
  return command
    .optionsGroup("Selection:")
    .addOption(repeatable(new Option("--suite <name>", "only this suite (repeatable): canary, token, drift, roundtrip, ppl, ...")))
    .addOption(repeatable(new Option("--claim <id>", "only this claim (repeatable)")))
    .addOption(
      repeatable(
        new Option("--model <name>", "run every selected claim on this model instead of the claim's own (repeatable): a zoo slug, a model of the config, or a path (HF directory, .gguf, .rft)"),
      ),
    )
    .addOption(repeatable(new Option("--quant <quant>", "only subjects of this quantization (repeatable)"), QUANTS))
    .option("--shard <k/n>", "only shard k of n (1-based); the n shards partition the checks")
    .optionsGroup("Subject:")
    .addOption(new Option("--backend <name>", "run every subject on this backend").choices(BACKENDS))
    .option("--runtime <name>", `run every subject through this runtime: ${RUNTIMES.join(", ")}, or a runtime of the config`)
    .addOption(new Option("--inject <fault>", "inject this fault of the teeth catalogue into every subject").choices(FAULT_NAMES))
    .optionsGroup("Inputs and outputs:")
    .option("--config <file>", `the project config: models and runtimes by name, the oracle, claims and reports directories (default ${CONFIG_FILE} when the working directory has one)`)
    .option("--claims <dir>", "the claim files (default: the config's, else claims)")
    .option("--oracle <dir>", "the oracle files (default: the config's, else oracle)")
    .option("--json", json);
}

function withRunOptions(command: Command): Command {
  return withSelectionOptions(command, "print the report as one JSON object on stdout; no progress")
    .option("--reports <dir>", `where reports go: latest.json, latest.md, junit.xml, badge.json, badge.svg, history.jsonl (default: the config's, else ${RUN_DIR}, git-ignored; \`refute report publish\` copies them to reports/)`)
    .addOption(new Option("--concurrency <n>", "checks in flight (the embedded engine is CPU-bound)").argParser(positiveInteger).default(1))
    .option("--strict", "exit 3 when checks are blocked and none is falsified")
    .optionsGroup("Comparison:")
    .option("--baseline <run>", "compare with an earlier run (a latest.json, or history.jsonl[#N]): newly falsified, corroborated and blocked checks and moved observations are printed, written to diff.json and shown in report.html")
    .addOption(new Option("--fail-on <what>", "exit 1 on any falsified check, or (with --baseline) only on checks newly falsified since the baseline").choices(["falsified", "regression"]).default("falsified"))
    .option("--tolerance <fraction>", "with --baseline: an observation moved when |new - old| exceeds this fraction of its claim's bound", String(DEFAULT_TOLERANCE))
    .addOption(new Option("--repeat <n>", "run each check n times: its verdict is corroborated only when all n corroborate, and every report gives each check's pass rate and the run's pass^n").argParser(positiveInteger).default(1))
    .addOption(
      new Option("--threads <n>", "threads of the engine's cpu-wasm backend and of llama.cpp (default: REFUTE_THREADS, else every core for the engine and 1 for llama.cpp)")
        .argParser(positiveInteger)
        .helpGroup("Subject:"),
    )
    .addOption(
      new Option("--skip-contract", "the embedded engine loads models that break their contract (engine/contract-gate.ts) instead of blocking their checks; a warning says so").helpGroup("Subject:"),
    )
    .optionsGroup("Teeth:")
    .option(
      "--teeth",
      "the clean engine, then each fault of the catalogue in turn: which claims refute which fault; writes teeth.json and teeth.md; exit 1 when a fault goes uncaught, the clean engine falsifies a claim, or a claim's `catches` names a fault it did not refute",
    )
    .addOption(repeatable(new Option("--fault <name>", "with --teeth: only this fault (repeatable)"), FAULT_NAMES))
    .addOption(
      new Option("--jobs <n>", "with --teeth: n processes run the clean pass in n shards, then the faults split between them (balanced by the times of the teeth.json an earlier run left in --reports) against the shards' union; on n cores, about n times faster")
        .argParser(positiveInteger)
        .default(1),
    )
    // The two steps of a --jobs run, one process each: not for people, so not in --help.
    .addOption(new Option("--teeth-clean-shard <k/n>", "with --teeth: run shard k of n of the clean pass only, into teeth-clean.json").hideHelp())
    .addOption(repeatable(new Option("--teeth-clean <file>", "with --teeth: the clean pass from these teeth-clean.json shards; run only the faults").hideHelp()));
}

export function gatesCommand(argv: string[], deps: GatesDeps): Promise<number> {
  // The options as given, for the report (reproduction): `gates run ...` and `gates ...` are one run.
  const given = argv[0] === "run" ? argv.slice(1) : argv;
  const gates = withRunOptions(refuteCommand("gates", deps).description(RUN_DESCRIPTION));
  onRun(gates, (options: RunOptions) => runClaims(options, given, deps));
  const run = withRunOptions(gates.command("run").summary("run the claims and report verdicts (what `refute gates` alone does)").description(RUN_DESCRIPTION));
  onRun(run, (options: RunOptions) => runClaims(options, given, deps));

  const scoreboard = gates
    .command("scoreboard")
    .summary("run every suite and publish it as the README's scoreboard")
    .description(
      `Runs every claim of the catalogue (no selection, the default runtimes) into ${SCOREBOARD_RUN_DIR}/ (its previous latest.json removed first), then publishes that run into reports/ and regenerates the README's scoreboard (refute report publish). Falsified and blocked checks are published as they are; a run that could not be written publishes nothing.
Exit code: the run's (0 nothing falsified, 1 something falsified), 2 when nothing was published.`,
    )
    .addOption(new Option("--threads <n>", "threads of the engine's cpu-wasm backend and of llama.cpp: one count for both, so the perf claims compare like with like").argParser(positiveInteger).default(1));
  onRun(scoreboard, (options: { threads: number }) => publishScoreboard(options, deps));

  const validate = gates
    .command("validate")
    .summary("validate the claim files")
    .description(
      "Validates every claim file against claims/schema.json and the measures, and resolves every model, prompt and oracle record it names; prints each problem with its file, claim id, field and what was expected. Exit 0 when valid, 2 otherwise.",
    )
    .option("--config <file>", `the project config whose models the claims may name (default ${CONFIG_FILE} when the working directory has one)`)
    .option("--claims <dir>", "the claim files (default: the config's, else claims)")
    .option("--oracle <dir>", "the oracle the references resolve in (default: the config's, else oracle)");
  onRun(validate, (options: { claims?: string; config?: string; oracle?: string }) => validateClaims(options, deps));

  const list = withSelectionOptions(
    gates.command("list").summary("print the checks a run with these options would run").description("Prints the checks a run with the same options would run, one per line (or a JSON array)."),
    "the checks as one JSON array: id, claim, suite, subject, prompts, group, fingerprint",
  );
  onRun(list, (options: SelectionOptions) => listChecks(options, deps));

  const claimsMd = gates
    .command("claims-md")
    .summary("write CLAIMS.md from the claims")
    .description("Writes CLAIMS.md from claims/*.yaml and claims/ADR.md. With --check, writes nothing and exits 1 when the file is not what would be written.")
    .option("--check", "write nothing; exit 1 when the file is stale")
    .option("--out <file>", "the file to write", "CLAIMS.md")
    .option("--claims <dir>", "the claim files", "claims");
  onRun(claimsMd, (options: { check?: boolean; out: string; claims: string }) => writeClaimsMd(options, deps));

  const schema = gates
    .command("schema")
    .summary("write the claims' JSON Schema from the measure registry")
    .description(
      "Writes the claims' JSON Schema (for editor completion) from the vocabulary and the measure registry: the measure names and each measure's params. With --check, writes nothing and exits 1 when the file is not what would be written.",
    )
    .option("--check", "write nothing; exit 1 when the file is stale")
    .option("--out <file>", "the file to write", "claims/schema.json");
  onRun(schema, (options: { check?: boolean; out: string }) => writeSchema(options, deps));

  return runCommand(gates, argv, deps);
}

/** The run's directories and models: the options, else the config's, else the defaults. */
function gateOptions(options: SelectionOptions & Partial<RunOptions>): Omit<GateOptions, "factory"> & { reportsDir: string } {
  const config = findConfig(options.config);
  return {
    config,
    claimsDir: options.claims ?? config.claims ?? "claims",
    oracleDir: options.oracle ?? config.oracle ?? "oracle",
    reportsDir: options.reports ?? config.reports ?? RUN_DIR,
    select: { suites: options.suite, claims: options.claim, models: options.model, quants: options.quant },
    backend: options.backend,
    runtime: options.runtime,
    inject: options.inject,
    shard: options.shard === undefined ? undefined : parseShard(options.shard),
    concurrency: options.concurrency ?? 1,
    threads: options.threads,
  };
}

/** The engine is loaded when the first check needs a runtime, not for a usage error. */
function lazyFactory(deps: GatesDeps, settings: RuntimeSettings): RuntimeFactory {
  let loaded: Promise<RuntimeFactory> | undefined;
  return async (name) => (await (loaded ??= deps.factory(settings)))(name);
}

/** Each fault's hook names, for reusing clean verdicts; loaded with the engine (only a teeth run asks). */
async function faultHookNames(): Promise<(fault: string) => string[]> {
  const { FAULT_HOOKS } = await import("../runtimes/fault-hooks.ts");
  return (fault) => Object.keys(FAULT_HOOKS[fault as keyof typeof FAULT_HOOKS] ?? {});
}

const BIN = fileURLToPath(new URL("../bin/refute.mjs", import.meta.url));

/** A process of a --jobs run: its progress goes to this stderr, its result to the files its --reports names. */
async function childTeeth(args: string[]): Promise<void> {
  const child = await execa(process.execPath, [BIN, "gates", ...args], { reject: false, stdin: "ignore", stdout: "ignore", stderr: "inherit" });
  if (child.exitCode !== 0 && child.exitCode !== 1) throw new RefuteError("E_TEETH_WORKER", `a teeth worker (refute gates ${args.join(" ")}) exited ${child.exitCode}: ${child.shortMessage}`, { args, exitCode: child.exitCode });
}

/** The arguments given, less what a process of a --jobs run sets itself (--jobs, --fault, --json, --reports): it reports to its own directory, with progress. */
const shareArgs = (given: string[]): string[] => withoutOptions(given, ["--jobs", "--fault", "--reports"], ["--json"]);

const CLEAN_FILE = "teeth-clean.json";

async function readJson<T>(file: string, what: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch (e) {
    throw new RefuteError("E_TEETH_WORKER", `${file}: ${what} cannot be read (${(e as Error).message})`, { file });
  }
}

/** The teeth report an earlier run left in `reportsDir`, for its faults' times; null where there is none or it cannot be read. */
const earlierTeeth = (reportsDir: string): Promise<TeethReport | null> => readJson<TeethReport>(join(reportsDir, "teeth.json"), "an earlier teeth report").catch(() => null);

/**
 * `jobs` processes run the clean pass in `jobs` shards; then `jobs` processes each take a share
 * of the faults, balanced by the times an earlier run in `reportsDir` took (gates/teeth-shares.ts),
 * against the shards' union.
 */
async function teethInShares(options: RunOptions, given: string[], deps: GatesDeps, reportsDir: string): Promise<TeethReport> {
  const faults = options.fault ?? FAULT_NAMES;
  const shares = balancedShares(faults, options.jobs, faultDurations(await earlierTeeth(reportsDir)));
  const jobs = shares.length;
  const worker = deps.teethWorker ?? childTeeth;
  if (!options.json) deps.err(`teeth: the clean pass in ${jobs} shards, then ${faults.length} faults, in ${jobs} processes`);
  const dirs = shares.map((_, i) => join(reportsDir, `teeth-share-${i + 1}`));
  const clear = () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  await clear(); // an interrupted run's files must not stand for this one's
  const base = shareArgs(given);
  await Promise.all(dirs.map((dir, i) => worker([...base, "--reports", dir, "--teeth-clean-shard", `${i + 1}/${jobs}`])));
  const cleanPaths = dirs.map((dir) => join(dir, CLEAN_FILE));
  await Promise.all(cleanPaths.map((file) => readJson<CleanRecord>(file, "a clean shard"))); // each shard there before any fault runs against them
  const cleanFiles = cleanPaths.flatMap((file) => ["--teeth-clean", file]);
  await Promise.all(shares.map((share, i) => worker([...base, "--reports", dirs[i], ...cleanFiles, ...share.flatMap((f) => ["--fault", f])])));
  const reports = await Promise.all(dirs.map((dir) => readJson<TeethReport>(join(dir, "teeth.json"), "a teeth worker's report")));
  await clear();
  return mergeTeeth(reports, faults);
}

async function teethCommand(options: RunOptions, given: string[], deps: GatesDeps): Promise<number> {
  if (options.inject) throw new RefuteError("E_USAGE", "--teeth injects every fault in turn; use --fault to choose which, not --inject", { option: "inject" });
  const planned = gateOptions(options);
  const skip = skipContract(options, deps);
  const teethOptions: TeethOptions = {
    ...planned,
    faults: options.fault,
    newFactory: (hookReads) => lazyFactory(deps, { threads: options.threads, ...(skip ? { skipContract: true } : {}), config: planned.config, hookReads }),
    faultHooks: await faultHookNames(),
    onPass: options.json ? undefined : (label, done, total) => deps.err(`teeth ${done}/${total}: ${label}`),
  };
  const reports = planned.reportsDir;
  if (options.teethCleanShard) {
    const shard = parseShard(options.teethCleanShard);
    if (!options.json) deps.err(`teeth: clean pass, shard ${shard.index}/${shard.count}`);
    const record = await runCleanShard(teethOptions, shard);
    await mkdir(reports, { recursive: true });
    await writeAtomic(join(reports, CLEAN_FILE), JSON.stringify(record) + "\n");
    return 0;
  }
  const clean = options.teethClean ? await Promise.all(options.teethClean.map((f) => readJson<CleanRecord>(f, "a clean shard"))) : undefined;
  const ran = options.jobs > 1 ? await teethInShares(options, given, deps, reports) : await runTeeth({ ...teethOptions, clean });
  // with the commit it ran at, so that `report publish` can say when it goes out beside a report of another
  const report: TeethReport = { ...ran, gitSha: gitSha() };
  await mkdir(reports, { recursive: true });
  await writeAtomic(join(reports, "teeth.json"), JSON.stringify(report, null, 2) + "\n");
  await writeAtomic(join(reports, "teeth.md"), teethMarkdown(report));
  const html = await refreshHtml(reports);
  if (options.json) deps.out(JSON.stringify(report));
  else {
    const s = report.summary;
    deps.out([`teeth: ${s.caught}/${s.faults} faults caught; clean engine ${s.cleanFalsified} falsified, ${s.cleanBlocked} blocked; ${s.reusedChecks} fault checks kept their clean verdict (the fault could not change what they computed: none of its hooks read by their subjects' loads or the operations they asked, or its source transform left their sources as they were); clean pass ${Math.round(report.cleanDurationMs / 1000)} s, faults ${Math.round(faultPassesMs(report) / 1000)} s`, ...report.faults.map((f) => `  ${f.fault.padEnd(34)} ${f.caughtBy.length ? f.caughtBy.join(", ") : "NOT CAUGHT"}`), ...report.problems.map((p) => `problem: ${p}`), `reports: ${[join(reports, "teeth.json"), join(reports, "teeth.md"), ...(html ? [html] : [])].join(", ")}`].join("\n"));
  }
  return report.summary.passed ? 0 : 1;
}

/** The options as given, for the report (reproduction); --json and output paths left out. */
function recordedArgs(argv: string[]): string[] {
  return withoutOptions(argv, ["--reports", "--concurrency"], ["--json"]);
}

async function runClaims(options: RunOptions, given: string[], deps: GatesDeps): Promise<number> {
  if (options.teeth) return teethCommand(options, given, deps);
  if (options.jobs > 1) throw new RefuteError("E_USAGE", "--jobs splits the faults of a teeth run (--teeth); a run of the claims splits with --shard k/n", { option: "jobs" });
  if (options.teethCleanShard || options.teethClean) throw new RefuteError("E_USAGE", "--teeth-clean-shard and --teeth-clean are steps of a teeth run (--teeth --jobs N)", { option: "teeth-clean" });
  if (options.failOn === "regression" && !options.baseline) throw new RefuteError("E_USAGE", "--fail-on regression needs --baseline <run>: what is a regression is relative to it", { option: "fail-on" });
  const tolerance = parseTolerance(options.tolerance);
  const planned = gateOptions(options);
  // read before this run writes: the baseline may be the reports directory's own latest.json or history
  const baseline = options.baseline ? await readRun(options.baseline) : null;
  const report = await runGates({
    ...planned,
    repeat: options.repeat,
    factory: lazyFactory(deps, { threads: options.threads, ...(skipContract(options, deps) ? { skipContract: true } : {}), config: planned.config }),
    args: recordedArgs(given),
    onResult: options.json ? undefined : (r, done, total) => deps.err(progressLine(r, done, total)),
  });
  const note = await replacementNote(planned.reportsDir, report);
  if (note) deps.err(`refute gates: note: ${note}`);
  const diff = baseline ? diffRuns(baseline, snapshotOfReport(report, "this run"), tolerance) : null;
  const written = await writeReports(report, planned.reportsDir, diff ? { diff } : {});
  const code = diff && options.failOn === "regression" ? regressionExitCode(report, diff, options.strict === true) : exitCodeFor(report.summary, options.strict === true);
  if (options.json) deps.out(JSON.stringify(diff ? { ...report, diff } : report));
  else deps.out([...(diff ? [renderDiff(diff)] : []), renderSummary(report, written, code)].join("\n"));
  return code;
}

/** Where `gates scoreboard` runs before it publishes (git-ignored, under reports/runs/). */
export const SCOREBOARD_RUN_DIR = "reports/runs/scoreboard";

async function publishScoreboard(options: { threads: number }, deps: GatesDeps): Promise<number> {
  await rm(join(SCOREBOARD_RUN_DIR, "latest.json"), { force: true });
  const code = await runClaims({ reports: SCOREBOARD_RUN_DIR, concurrency: 1, failOn: "falsified", tolerance: String(DEFAULT_TOLERANCE), repeat: 1, jobs: 1, threads: options.threads }, [], deps);
  if (code === 2) {
    deps.err("refute gates scoreboard: nothing ran; not published");
    return 2;
  }
  const published = await reportCommand(["publish", "--from", SCOREBOARD_RUN_DIR], deps);
  return published === 0 ? code : 2;
}

/** --fail-on regression: 1 only for checks newly falsified since the baseline; the other codes as without it. */
function regressionExitCode(report: Report, diff: RunDiff, strict: boolean): number {
  if (diff.newlyFalsified.length > 0) return 1;
  return exitCodeFor({ ...report.summary, falsified: 0 }, strict);
}

function renderSummary(report: Report, written: string[], code: number): string {
  const s = report.summary;
  const lines = [
    `refute: ${s.corroborated}/${s.total} corroborated, ${s.falsified} falsified, ${s.blocked} blocked · score ${formatScore(s)}`,
    ...Object.entries(report.suites).map(([name, x]) => `  ${name.padEnd(12)} ${String(x.corroborated).padStart(3)}/${String(x.total).padEnd(3)} ${x.falsified ? `${x.falsified} falsified ` : ""}${x.blocked ? `${x.blocked} blocked` : ""}`.trimEnd()),
  ];
  const falsified = report.checks.filter((c) => c.verdict === "falsified");
  if (falsified.length) lines.push("falsified:", ...falsified.map((c) => `  [${c.claim}] ${checkLabel(c)}: ${c.line}`));
  const blocked = report.checks.filter((c) => c.verdict === "blocked");
  if (blocked.length === s.total && s.total > 0) {
    // Nothing ran: say why once, most common reason first, instead of as many lines as checks.
    lines.push(`every check is blocked; nothing ran:`, ...blockedReasons(blocked).map((r) => `  ${r.count} x ${r.reason}`));
  } else if (blocked.length) lines.push(`blocked: ${blocked.length} (reasons in ${written.find((w) => w.endsWith("latest.md"))})`);
  const conversions = new Set(report.checks.flatMap((c) => (c.conversion ? [c.conversion] : [])));
  for (const c of conversions) lines.push(`converted: ${c}`);
  for (const w of report.run.warnings) lines.push(`warning: ${w}`);
  lines.push(`reports: ${written.join(", ")}`, `exit ${code}`);
  return lines.join("\n");
}

async function validateClaims(options: { claims?: string; config?: string; oracle?: string }, deps: GatesDeps): Promise<number> {
  const { config, claimsDir, oracleDir } = gateOptions(options);
  const { claims, problems, files } = await readClaims(claimsDir, { oracleDir, config });
  if (problems.length > 0) {
    for (const p of problems) deps.err(formatProblem(p));
    deps.err(`${problems.length} problem(s) in ${files.length} claim file(s)`);
    return 2;
  }
  const checks = await planChecks({ claimsDir, oracleDir, config });
  deps.out(`${files.length} claim files, ${claims.length} claims, ${checks.length} checks: valid`);
  return 0;
}

async function listChecks(options: SelectionOptions, deps: GatesDeps): Promise<number> {
  const checks = await planChecks(gateOptions(options));
  if (options.json) {
    deps.out(JSON.stringify(checks.map((c) => ({ id: c.id, claim: c.claim.id, suite: c.claim.suite, subject: c.subject, ...(c.against ? { against: c.against } : {}), prompts: c.prompts, group: c.group, fingerprint: c.fingerprint }))));
    return 0;
  }
  const width = Math.max(0, ...checks.map((c) => c.claim.id.length));
  deps.out(checks.map((c) => `${c.claim.suite.padEnd(10)} ${c.claim.id.padEnd(width)}  ${checkLabel(c)}`).join("\n"));
  deps.out(`${checks.length} checks`);
  return 0;
}

/** With --check: 0 when `file` holds `text`, else 1 naming the command that rewrites it; without: writes it. */
async function writeOrCheck(file: string, text: string, check: boolean, command: string, wrote: string, deps: GatesDeps): Promise<number> {
  if (check) {
    const current = await readFile(file, "utf8").catch(() => "");
    if (current === text) {
      deps.out(`${file} is current`);
      return 0;
    }
    deps.err(`${file} is stale: run \`pnpm refute gates ${command}\``);
    return 1;
  }
  await writeAtomic(file, text);
  deps.out(`wrote ${file} (${wrote})`);
  return 0;
}

async function writeClaimsMd(options: { check?: boolean; out: string; claims: string }, deps: GatesDeps): Promise<number> {
  const { claims, problems } = await readClaims(options.claims);
  if (problems.length > 0) {
    for (const p of problems) deps.err(formatProblem(p));
    return 2;
  }
  const text = renderClaimsMd(claims, await readAdr(options.claims));
  return writeOrCheck(options.out, text, options.check === true, "claims-md", `${claims.length} claims`, deps);
}

function writeSchema(options: { check?: boolean; out: string }, deps: GatesDeps): Promise<number> {
  return writeOrCheck(options.out, claimSchemaText(), options.check === true, "schema", `${measures.size} measures`, deps);
}
