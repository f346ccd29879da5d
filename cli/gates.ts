// `refute gates`: run the claims and report verdicts, and the claim-file tools.
//
//   refute gates [run] [options]     run checks, write reports, exit 0 / 1 / 2 / 3
//   refute gates validate            validate claims/*.yaml (exit 0, or 2 with problems)
//   refute gates list [options]      print the checks a run with these options would run
//   refute gates claims-md [--check] write CLAIMS.md from the claims (or check it is current)
//   refute gates schema [--check]    write claims/schema.json from the measure registry (or check it)

import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { isRefuteError, RefuteError } from "../core/errors.ts";
import { BACKENDS, RUNTIMES, type Backend, type RuntimeName } from "../core/vocabulary.ts";
import type { RuntimeFactory } from "../gates/cache.ts";
import { formatProblem, readClaims } from "../gates/claims.ts";
import { claimSchemaText } from "../gates/claim-schema.ts";
import { renderClaimsMd, readAdr } from "../gates/claims-md.ts";
import { measures } from "../measures/index.ts";
import { parseShard } from "../gates/expand.ts";
import { checkLabel, formatScore } from "../gates/markdown.ts";
import { progressLine } from "../gates/progress.ts";
import { exitCodeFor, type Report } from "../gates/report.ts";
import { planChecks, runGates, type GateOptions } from "../gates/run.ts";
import { runTeeth, teethMarkdown } from "../gates/teeth.ts";
import { writeAtomic } from "../core/atomic-write.ts";
import { writeReports } from "../gates/write.ts";
import { FAULT_NAMES, FAULTS } from "../core/faults.ts";
import { positiveInteger } from "./args.ts";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";

/** What the runtimes are made with: the engine's and llama.cpp's threads when --threads gives them. */
export interface RuntimeSettings {
  threads?: number;
}

export interface GatesDeps {
  /** Where runtimes come from; the default loads runtimes/index.ts's defaultRuntimeFactory(settings). */
  factory: (settings: RuntimeSettings) => Promise<RuntimeFactory>;
  out: (text: string) => void; // stdout
  err: (text: string) => void; // stderr
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

const selectionOptions = {
  suite: { type: "string", multiple: true },
  claim: { type: "string", multiple: true },
  model: { type: "string", multiple: true },
  quant: { type: "string", multiple: true },
  backend: { type: "string" },
  runtime: { type: "string" },
  inject: { type: "string" },
  shard: { type: "string" },
  claims: { type: "string", default: "claims" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

const runOptions = {
  ...selectionOptions,
  teeth: { type: "boolean", default: false },
  fault: { type: "string", multiple: true },
  strict: { type: "boolean", default: false },
  reports: { type: "string", default: "reports" },
  oracle: { type: "string", default: "oracle" },
  concurrency: { type: "string", default: "1" },
  threads: { type: "string" },
} as const;

const HELP = {
  run: `usage: refute gates [run] [options]

Runs the claims in claims/*.yaml as checks and reports a verdict for each:
corroborated, falsified (with expected, observed and evidence) or blocked (with the reason).

selection
  --suite <name>      only this suite (repeatable): canary, token, drift, roundtrip, ppl, ...
  --claim <id>        only this claim (repeatable)
  --model <slug>      only subjects of this model (repeatable)
  --quant <quant>     only subjects of this quantization (repeatable): q8_0, q4_0, ...
  --shard <k/n>       only shard k of n (1-based); the n shards partition the checks
subject
  --backend <name>    run every subject on this backend (${BACKENDS.join(", ")})
  --runtime <name>    run every subject through this runtime (${RUNTIMES.join(", ")})
  --threads <n>       threads of the engine's cpu-wasm backend and of llama.cpp (default:
                      REFUTE_THREADS, else every core for the engine and 1 for llama.cpp)
  --inject <fault>    inject this fault of the teeth catalogue into every subject
teeth
  --teeth             the clean engine, then each fault of the catalogue in turn: which
                      claims refute which fault; writes teeth.json and teeth.md; exit 1
                      when a fault goes uncaught, the clean engine falsifies a claim, or a
                      claim's \`catches\` names a fault it did not refute
  --fault <name>      with --teeth: only this fault (repeatable)
inputs and outputs
  --claims <dir>      claim files (default claims/)
  --oracle <dir>      oracle files (default oracle/)
  --reports <dir>     where reports go (default reports/): latest.json, latest.md,
                      junit.xml, badge.json, badge.svg, history.jsonl
  --json              print the report as one JSON object on stdout; no progress
  --concurrency <n>   checks in flight (default 1: the embedded engine is CPU-bound)
  --strict            exit 3 when checks are blocked and none is falsified

exit codes: 0 nothing falsified (blocked checks lower the score), 1 something falsified,
2 usage or configuration error, 3 with --strict: blocked and nothing falsified.

other commands: refute gates validate | list | claims-md | schema   (each with --help)`,
  validate: `usage: refute gates validate [--claims <dir>]

Validates every claim file against claims/schema.json and the measures; prints each
problem with its file, claim id, field and what was expected. Exit 0 when valid, 2 otherwise.`,
  list: `usage: refute gates list [--suite ..] [--claim ..] [--model ..] [--quant ..] [--backend ..] [--runtime ..] [--inject ..] [--shard k/n] [--claims <dir>] [--json]

Prints the checks a run with the same options would run, one per line (or a JSON array).`,
  "claims-md": `usage: refute gates claims-md [--check] [--out <file>] [--claims <dir>]

Writes CLAIMS.md (default ./CLAIMS.md) from claims/*.yaml and claims/ADR.md.
With --check, writes nothing and exits 1 when the file is not what would be written.`,
  schema: `usage: refute gates schema [--check] [--out <file>]

Writes the claims' JSON Schema (default claims/schema.json, for editor completion) from the
vocabulary and the measure registry: the measure names and each measure's params.
With --check, writes nothing and exits 1 when the file is not what would be written.`,
};

type Sub = keyof typeof HELP;

export async function gatesCommand(argv: string[], deps: GatesDeps): Promise<number> {
  const first = argv[0];
  const sub: Sub = first !== undefined && Object.hasOwn(HELP, first) ? (first as Sub) : "run";
  const rest = first === sub ? argv.slice(1) : argv;
  try {
    switch (sub) {
      case "validate":
        return await validateCommand(rest, deps);
      case "list":
        return await listCommand(rest, deps);
      case "claims-md":
        return await claimsMdCommand(rest, deps);
      case "schema":
        return await schemaCommand(rest, deps);
      default:
        return await runCommand(rest, deps);
    }
  } catch (e) {
    if (isRefuteError(e)) {
      deps.err(`refute gates: ${e.message} [${e.code}]`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      deps.err(`refute gates${sub === "run" ? "" : " " + sub}: ${(e as Error).message}\n\n${HELP[sub]}`);
      return 2;
    }
    throw e;
  }
}

function gateOptions(values: { [k: string]: string | boolean | string[] | undefined }): Omit<GateOptions, "factory"> {
  const one = (name: string, allowed: readonly string[]) => {
    const v = values[name] as string | undefined;
    if (v !== undefined && !allowed.includes(v)) throw new RefuteError("E_USAGE", `--${name} expects one of ${allowed.join(", ")}; found '${v}'`, { option: name });
    return v;
  };
  const concurrency = Number(values.concurrency ?? "1");
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RefuteError("E_USAGE", `--concurrency expects a positive integer; found '${values.concurrency}'`);
  return {
    claimsDir: values.claims as string,
    oracleDir: (values.oracle as string | undefined) ?? "oracle",
    select: { suites: values.suite as string[] | undefined, claims: values.claim as string[] | undefined, models: values.model as string[] | undefined, quants: values.quant as string[] | undefined },
    backend: one("backend", BACKENDS) as Backend | undefined,
    runtime: one("runtime", RUNTIMES) as RuntimeName | undefined,
    inject: knownFault(values.inject as string | undefined),
    shard: values.shard === undefined ? undefined : parseShard(values.shard as string),
    concurrency,
  };
}

function knownFault(name: string | undefined, option: "inject" | "fault" = "inject"): string | undefined {
  if (name !== undefined && !(name in FAULTS)) throw new RefuteError("E_USAGE", `--${option} expects a fault of the catalogue: ${FAULT_NAMES.join(", ")}; found '${name}'`, { option });
  return name;
}

/** The engine is loaded when the first check needs a runtime, not for a usage error. */
function lazyFactory(deps: GatesDeps, settings: RuntimeSettings): RuntimeFactory {
  let loaded: Promise<RuntimeFactory> | undefined;
  return async (name) => (await (loaded ??= deps.factory(settings)))(name);
}

async function teethCommand(options: Omit<GateOptions, "factory">, faults: string[] | undefined, reports: string, json: boolean, deps: GatesDeps): Promise<number> {
  if (options.inject) throw new RefuteError("E_USAGE", "--teeth injects every fault in turn; use --fault to choose which, not --inject", { option: "inject" });
  for (const f of faults ?? []) knownFault(f, "fault");
  const report = await runTeeth({
    ...options,
    faults,
    newFactory: () => lazyFactory(deps, { threads: options.threads }),
    onPass: json ? undefined : (label, done, total) => deps.err(`teeth ${done}/${total}: ${label}`),
  });
  await mkdir(reports, { recursive: true });
  await writeAtomic(join(reports, "teeth.json"), JSON.stringify(report, null, 2) + "\n");
  await writeAtomic(join(reports, "teeth.md"), teethMarkdown(report));
  if (json) deps.out(JSON.stringify(report));
  else {
    const s = report.summary;
    deps.out([`teeth: ${s.caught}/${s.faults} faults caught; clean engine ${s.cleanFalsified} falsified, ${s.cleanBlocked} blocked`, ...report.faults.map((f) => `  ${f.fault.padEnd(34)} ${f.caughtBy.length ? f.caughtBy.join(", ") : "NOT CAUGHT"}`), ...report.problems.map((p) => `problem: ${p}`), `reports: ${join(reports, "teeth.json")}, ${join(reports, "teeth.md")}`].join("\n"));
  }
  return report.summary.passed ? 0 : 1;
}

/** The options as given, for the report (reproduction); --json and output paths left out. */
function recordedArgs(argv: string[]): string[] {
  const drop = new Set(["--json", "--reports", "--concurrency"]);
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag] = argv[i].split("=", 1);
    if (drop.has(flag)) {
      if (!argv[i].includes("=") && flag !== "--json") i++;
      continue;
    }
    kept.push(argv[i]);
  }
  return kept;
}

async function runCommand(argv: string[], deps: GatesDeps): Promise<number> {
  const { values } = parseArgs({ args: argv, options: runOptions, strict: true, allowPositionals: false });
  if (values.help) {
    deps.out(HELP.run);
    return 0;
  }
  const threads = values.threads === undefined ? undefined : positiveInteger(values, "threads", 1);
  const options = { ...gateOptions(values), threads };
  if (values.teeth) return teethCommand(options, values.fault, values.reports, values.json, deps);
  const factory = lazyFactory(deps, { threads });
  const report = await runGates({
    ...options,
    factory,
    args: recordedArgs(argv),
    onResult: values.json ? undefined : (r, done, total) => deps.err(progressLine(r, done, total)),
  });
  const written = await writeReports(report, values.reports);
  const code = exitCodeFor(report.summary, values.strict);
  if (values.json) deps.out(JSON.stringify(report));
  else deps.out(renderSummary(report, written, code));
  return code;
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
  if (blocked.length) lines.push(`blocked: ${blocked.length} (reasons in ${written.find((w) => w.endsWith("latest.md"))})`);
  for (const w of report.run.warnings) lines.push(`warning: ${w}`);
  lines.push(`reports: ${written.join(", ")}`, `exit ${code}`);
  return lines.join("\n");
}

async function validateCommand(argv: string[], deps: GatesDeps): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { claims: { type: "string", default: "claims" }, help: { type: "boolean", short: "h", default: false } }, strict: true });
  if (values.help) {
    deps.out(HELP.validate);
    return 0;
  }
  const { claims, problems, files } = await readClaims(values.claims);
  if (problems.length > 0) {
    for (const p of problems) deps.err(formatProblem(p));
    deps.err(`${problems.length} problem(s) in ${files.length} claim file(s)`);
    return 2;
  }
  const checks = await planChecks({ claimsDir: values.claims });
  deps.out(`${files.length} claim files, ${claims.length} claims, ${checks.length} checks: valid`);
  return 0;
}

async function listCommand(argv: string[], deps: GatesDeps): Promise<number> {
  const { values } = parseArgs({ args: argv, options: selectionOptions, strict: true });
  if (values.help) {
    deps.out(HELP.list);
    return 0;
  }
  const checks = await planChecks(gateOptions(values));
  if (values.json) {
    deps.out(JSON.stringify(checks.map((c) => ({ id: c.id, claim: c.claim.id, suite: c.claim.suite, subject: c.subject, ...(c.against ? { against: c.against } : {}), prompts: c.prompts, group: c.group, fingerprint: c.fingerprint }))));
    return 0;
  }
  const width = Math.max(0, ...checks.map((c) => c.claim.id.length));
  deps.out(checks.map((c) => `${c.claim.suite.padEnd(10)} ${c.claim.id.padEnd(width)}  ${checkLabel(c)}`).join("\n"));
  deps.out(`${checks.length} checks`);
  return 0;
}

async function claimsMdCommand(argv: string[], deps: GatesDeps): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { check: { type: "boolean", default: false }, out: { type: "string", default: "CLAIMS.md" }, claims: { type: "string", default: "claims" }, help: { type: "boolean", short: "h", default: false } },
    strict: true,
  });
  if (values.help) {
    deps.out(HELP["claims-md"]);
    return 0;
  }
  const { claims, problems } = await readClaims(values.claims);
  if (problems.length > 0) {
    for (const p of problems) deps.err(formatProblem(p));
    return 2;
  }
  const text = renderClaimsMd(claims, await readAdr(values.claims));
  if (values.check) {
    const current = await readFile(values.out, "utf8").catch(() => "");
    if (current === text) {
      deps.out(`${values.out} is current`);
      return 0;
    }
    deps.err(`${values.out} is stale: run \`pnpm refute gates claims-md\``);
    return 1;
  }
  await writeAtomic(values.out, text);
  deps.out(`wrote ${values.out} (${claims.length} claims)`);
  return 0;
}

async function schemaCommand(argv: string[], deps: GatesDeps): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { check: { type: "boolean", default: false }, out: { type: "string", default: "claims/schema.json" }, help: { type: "boolean", short: "h", default: false } },
    strict: true,
  });
  if (values.help) {
    deps.out(HELP.schema);
    return 0;
  }
  const text = claimSchemaText();
  if (values.check) {
    const current = await readFile(values.out, "utf8").catch(() => "");
    if (current === text) {
      deps.out(`${values.out} is current`);
      return 0;
    }
    deps.err(`${values.out} is stale: run \`pnpm refute gates schema\``);
    return 1;
  }
  await writeAtomic(values.out, text);
  deps.out(`wrote ${values.out} (${measures.size} measures)`);
  return 0;
}
