// The runner: claims -> checks -> observations -> verdicts -> a Report. It schedules checks
// with p-limit (default 1: the embedded engine is CPU-bound), shares generations through
// the SubjectCache, and turns anything a subject throws into a `blocked` verdict with its
// reason: a run never crashes because one subject could not run.
//
// Entry points: runGates (load, expand, select, shard, run) and runChecks (run given checks).

import pLimit from "p-limit";
import { EMPTY_CONFIG, runtimeKind, runtimeNames, type ProjectConfig } from "../core/config.ts";
import { isRefuteError, RefuteError } from "../core/errors.ts";
import { modelProblem } from "../core/model-ref.ts";
import type { SubjectOperation } from "../core/hook-reads.ts";
import { BlockedError, requireCapability, requireServed, type Backend, type RuntimeName, type SubjectSpec } from "../runtimes/runtime.ts";
import { measures } from "../measures/index.ts";
import type { PromptRef, TraceEvidence } from "../measures/measure.ts";
import { SubjectCache, SubjectError, type RuntimeFactory } from "./cache.ts";
import { loadClaims, type Claim } from "./claims.ts";
import { expandClaims, selectChecks, shardChecks, type Check, type Selection, type Shard } from "./expand.ts";
import { describeExpected, judge } from "./judge.ts";
import { OracleStore } from "./oracle.ts";
import { runtimeSettings } from "./settings.ts";
import { evidenceTokenTexts } from "./token-text.ts";
import { compareTraces } from "./trace.ts";
import { buildReport, claimInfo, gitSha, machineInfo, type CheckResult, type ClaimInfo, type RepeatCounts, type Report, worstVerdict } from "./report.ts";

export interface RunChecksOptions {
  factory: RuntimeFactory;
  oracleDir?: string; // default "oracle"
  concurrency?: number; // default 1
  /** Runs of each check (gates --repeat); default 1. */
  repeat?: number;
  onResult?: (result: CheckResult, done: number, total: number) => void;
  /**
   * "full" (default): a falsified check also carries its token texts, the trace to its first
   * departure and a reproduction. "verdict": only what judging needs; the teeth run's fault
   * passes, where nearly everything is falsified and only verdicts are read, save the traces.
   */
  evidence?: "full" | "verdict";
  /** Asked just before each check: false leaves it out of the results, unrun (the teeth run's fault passes skip the rest of a claim that a check has refuted). */
  shouldRun?: (check: Check) => boolean;
  /** Told each operation a check asks of a subject, answered from memory or not (the teeth run's clean pass: what a check depends on). */
  onUse?: (check: Check, subject: SubjectSpec, operation: SubjectOperation) => void;
}

export interface RunChecksOutcome {
  results: CheckResult[]; // in the order of the checks given, less those shouldRun left out
  closeErrors: string[];
}

export async function runChecks(checks: Check[], options: RunChecksOptions): Promise<RunChecksOutcome> {
  const cache = new SubjectCache(options.factory);
  const oracle = new OracleStore(options.oracleDir ?? "oracle");
  const limit = pLimit(Math.max(1, options.concurrency ?? 1));
  let done = 0;
  let results: CheckResult[];
  let closeErrors: string[] = [];
  try {
    const outcomes = await Promise.all(
      checks.map((check) =>
        limit(async () => {
          if (options.shouldRun && !options.shouldRun(check)) return null;
          const result = await repeatCheck(options.repeat ?? 1, (r) => runCheck(check, cache.forRepetition(r), oracle, options.evidence ?? "full", options.onUse));
          options.onResult?.(result, ++done, checks.length);
          return result;
        }),
      ),
    );
    results = outcomes.filter((r) => r !== null);
  } finally {
    closeErrors = await cache.close(); // also when a callback threw
  }
  return { results, closeErrors };
}

/**
 * A check run `runs` times in a row, each repetition asking the subjects afresh (its own
 * memory of them): the result of the first run with the worst verdict (its evidence is what a
 * person needs), with every run's verdict counted, and the time of all.
 */
async function repeatCheck(runs: number, run: (repetition: number) => Promise<CheckResult>): Promise<CheckResult> {
  if (runs === 1) return run(0);
  const results: CheckResult[] = [];
  for (let i = 0; i < runs; i++) results.push(await run(i));
  const counts: RepeatCounts = { runs, corroborated: 0, falsified: 0, blocked: 0 };
  for (const r of results) counts[r.verdict]++;
  const verdict = worstVerdict(counts);
  const shown = results.find((r) => r.verdict === verdict) as CheckResult;
  return { ...shown, line: `${shown.line} (${counts.corroborated}/${runs} runs corroborated)`, repeat: counts, durationMs: results.reduce((t, r) => t + r.durationMs, 0) };
}

async function runCheck(check: Check, cache: SubjectCache, oracle: OracleStore, evidence: "full" | "verdict", onUse?: RunChecksOptions["onUse"]): Promise<CheckResult> {
  const measure = measures.get(check.claim.measure)!;
  const started = performance.now();
  const base: Omit<CheckResult, "verdict" | "expected" | "observed" | "evidence" | "line" | "durationMs"> = {
    id: check.id,
    claim: check.claim.id,
    suite: check.claim.suite,
    measure: measure.name,
    severity: check.claim.severity,
    subject: check.subject,
    ...(check.against ? { against: check.against } : {}),
    prompts: check.prompts,
    group: check.group,
    fingerprint: check.fingerprint,
    ...(check.conversion ? { conversion: check.conversion } : {}),
  };
  const quantity = measure.quantity(check.claim.params);
  try {
    // Every runtime the check names must have every capability the measure needs, and serve its subject, before anything runs.
    for (const subject of [check.subject, ...(check.against ? [check.against] : [])]) {
      const runtime = await cache.runtime(subject.runtime);
      for (const capability of measure.needs) requireCapability(runtime, capability);
      requireServed(runtime, subject);
    }
    // A chat prompt is rendered by the subject's template first (SubjectCache.promptText): its generation asks for the render too.
    const asked = (subject: SubjectSpec, operation: SubjectOperation, prompt?: PromptRef) => {
      onUse?.(check, subject, operation);
      if (prompt?.messages) onUse?.(check, subject, "chat");
    };
    const prompts: PromptRef[] = await Promise.all(check.prompts.map((p) => oracle.prompt(p)));
    if (prompts.length > 0) base.promptTexts = prompts.map((p) => p.text);
    const observation = await measure.observe(
      {
        subject: check.subject,
        ...(check.against ? { against: check.against } : {}),
        prompts,
        maxNewTokens: check.claim.maxNewTokens,
        generate: (subject, prompt, settings) => (asked(subject, "generate", prompt), cache.generate(subject, prompt, check.claim.maxNewTokens, settings)),
        generateAgain: (subject, prompt, run) => (asked(subject, "generate", prompt), cache.generateAgain(subject, prompt, check.claim.maxNewTokens, run)),
        perplexity: (subject, text, window, stride, settings) => (asked(subject, "perplexity"), cache.perplexity(subject, text, window, stride, settings)),
        tokenize: (subject, text) => (asked(subject, "tokenize"), cache.tokenize(subject, text)),
        score: (subject, prompt, tokens, options) => (asked(subject, "score", prompt), cache.score(subject, prompt, tokens, options)),
        benchmark: (subject, request) => (asked(subject, "benchmark"), cache.benchmark(subject, request)),
        kernels: (subject) => (asked(subject, "kernels"), cache.kernels(subject)),
        kvCompression: (subject, text, tokens, kv) => (asked(subject, "kv-compression"), cache.kvCompression(subject, text, tokens, kv)),
        modelFiles: (subject) => (asked(subject, "files"), cache.modelFiles(subject)),
        fileCommands: (subject, use) => (asked(subject, "files"), cache.fileCommands(subject, use)),
        oracleGeneration: (model, prompt) => oracle.generation(model, prompt),
        oraclePerplexity: (model, text) => oracle.perplexity(model, text),
        oracleDistributions: (model, prompt) => oracle.distributions(model, prompt),
        oracleTokenizer: (model) => oracle.tokenizer(model),
        oracleChat: (model) => oracle.chat(model),
        applyChatTemplate: (subject, messages, addGenerationPrompt) => (asked(subject, "chat"), cache.applyChatTemplate(subject, messages, addGenerationPrompt)),
        heldoutText: () => oracle.heldoutText(),
        serving: (subject, use) => (asked(subject, "serving"), cache.serving(subject, use)),
      },
      check.claim.params,
    );
    const j = judge(quantity, check.claim.prediction, observation);
    const explain = j.verdict === "falsified" && evidence === "full";
    const tokenTexts = explain && observation.evidence ? evidenceTokenTexts(observation.evidence, check.subject) : null;
    const trace = explain ? await traceEvidence(check, cache, oracle) : null;
    const reproduction = explain && measure.needs.includes("generate") && prompts.length > 0 ? (await cache.runtime(check.subject.runtime)).reproduction?.(check.subject, prompts[0].text, check.claim.maxNewTokens) : undefined;
    return {
      ...base,
      ...(reproduction ? { reproduction } : {}),
      verdict: j.verdict,
      expected: j.expected,
      observed: j.observed,
      evidence: { ...observation.evidence, ...(tokenTexts ? { tokenTexts } : {}), ...(trace ? { trace } : {}) },
      line: j.line,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (e) {
    const { reason, cause, blockedBy } = blockedReason(e);
    const prediction = check.claim.prediction;
    return {
      ...base,
      verdict: "blocked",
      expected: { comparator: prediction.comparator, threshold: prediction.threshold, bound: null, description: describeExpected(quantity, prediction) },
      observed: null,
      evidence: null,
      line: `blocked: ${reason}`,
      reason,
      cause,
      blockedBy,
      durationMs: Math.round(performance.now() - started),
    };
  }
}

/**
 * Where a falsified check's subject first departs from the reference, when its runtime can
 * trace and the oracle holds a reference trace of its model (one of the check's prompts, else
 * any): what a maintainer needs next after "it is wrong". Null when either is missing; a
 * failure to trace leaves the verdict as it is.
 */
async function traceEvidence(check: Check, cache: SubjectCache, oracle: OracleStore): Promise<TraceEvidence | null> {
  try {
    const runtime = await cache.runtime(check.subject.runtime);
    if (!runtime.capabilities.has("trace") || !runtime.trace) return null;
    const prompt = await oracle.tracedPrompt(check.subject.model, check.prompts);
    if (!prompt) return null;
    const reference = await oracle.trace(check.subject.model, prompt);
    const comparison = compareTraces(await runtime.trace(check.subject, reference.tokens), reference.tensors);
    return { prompt, bound: comparison.bound, first: comparison.first };
  } catch {
    return null;
  }
}

/**
 * Why a check could not run. A BlockedError is the subject saying "not here" (no CUDA,
 * no model file): `unavailable`. Anything else thrown is an `error`, its reason prefixed
 * with the error's code when it has one ("[GGUF_BAD_MAGIC] ...", "[ENOENT] ..."). `cause`
 * is the reason without the subject and request it happened on: the same for every check
 * one misconfiguration blocks.
 */
export function blockedReason(e: unknown): { reason: string; cause: string; blockedBy: "unavailable" | "error" } {
  let context = "";
  let inner = e;
  while (inner instanceof SubjectError) {
    context += `${inner.context}: `;
    inner = inner.cause;
  }
  const blocked = (prefix: string, message: string, blockedBy: "unavailable" | "error") => ({ reason: prefix + context + message, cause: prefix + message, blockedBy });
  if (inner instanceof BlockedError) return blocked("", inner.reason, "unavailable");
  if (isRefuteError(inner)) return blocked(`[${inner.code}] `, inner.message, "error");
  if (inner instanceof Error) {
    const code = (inner as NodeJS.ErrnoException).code;
    return blocked(typeof code === "string" && code ? `[${code}] ` : `${inner.name}: `, inner.message, "error");
  }
  return blocked("", `thrown: ${String(inner)}`, "error");
}

// --------------------------------------------------------------------------- runGates

export interface GateOptions extends RunChecksOptions {
  claimsDir?: string; // default "claims"
  config?: ProjectConfig; // the configured models and runtimes (default none)
  select?: Selection;
  backend?: Backend;
  runtime?: RuntimeName;
  inject?: string;
  shard?: Shard;
  /** The command-line options of this run, recorded in the report (for reproduction). */
  args?: string[];
  /** The runtimes' settings, secrets redacted (runtimeSettings), recorded in the report (for reproduction). */
  settings?: Record<string, string>;
  /** The engine's threads, as the report describes its backends (default REFUTE_THREADS, else every core). */
  threads?: number;
}

/** Loads the claims, plans the checks the options select. Throws RefuteError (exit 2) on bad claims or options. */
export async function planChecks(options: Omit<GateOptions, "factory">): Promise<Check[]> {
  const config = options.config ?? EMPTY_CONFIG;
  const select = options.select ?? {};
  for (const model of select.models ?? []) {
    const expected = modelProblem(model, config);
    if (expected) throw new RefuteError("E_USAGE", `--model '${model}': expected ${expected}`, { model });
  }
  if (options.runtime !== undefined && runtimeKind(options.runtime, config) === null) {
    throw new RefuteError("E_USAGE", `--runtime '${options.runtime}': expected one of ${runtimeNames(config).join(", ")}`, { runtime: options.runtime });
  }
  const claims = await loadClaims(options.claimsDir ?? "claims", { oracleDir: options.oracleDir, config, models: select.models, suites: select.suites, ids: select.claims });
  return planFromClaims(claims, options);
}

/** The checks of already loaded claims that the options select. */
export function planFromClaims(claims: Claim[], options: Omit<GateOptions, "factory">): Check[] {
  const all = expandClaims(claims, { backend: options.backend, runtime: options.runtime, inject: options.inject, config: options.config });
  const selected = selectChecks(all, options.select ?? {});
  return options.shard ? shardChecks(selected, options.shard) : selected;
}

/** What each backend of the checks stood for on this machine ("cpu = cpu-wasm (...)"); loaded here, so planning loads no engine. */
async function describeBackends(checks: Check[], threads: number | undefined): Promise<string[]> {
  const { describeBackend } = await import("../runtimes/backends.ts");
  return [...new Set(checks.map((c) => c.subject.backend))].map((backend) => describeBackend(backend, threads));
}

export async function runGates(options: GateOptions): Promise<Report> {
  const startedAt = new Date();
  const checks = await planChecks(options);
  const { results, closeErrors } = await runChecks(checks, options);
  const finishedAt = new Date();
  const claims: Record<string, ClaimInfo> = {};
  for (const c of checks) claims[c.claim.id] ??= claimInfo(c.claim);
  return buildReport(results, claims, {
    gitSha: gitSha(),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    machine: machineInfo(),
    node: process.version,
    backends: await describeBackends(checks, options.threads),
    runtimes: [...new Set(checks.map((c) => c.subject.runtime))],
    inject: options.inject ?? null,
    oracle: options.oracleDir ?? "oracle",
    claims: options.claimsDir ?? "claims",
    config: options.config?.file ?? null,
    settings: options.settings ?? runtimeSettings(process.env),
    args: options.args ?? [],
    shard: options.shard ? `${options.shard.index}/${options.shard.count}` : null,
    warnings: closeErrors,
  });
}
