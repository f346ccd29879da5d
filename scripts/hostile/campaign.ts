// The hostile-file campaign: thousands of damaged inputs (scripts/hostile/mutants.ts) through
// everything refute does with them (scripts/hostile/worker.ts), in worker processes whose heap
// is capped at 1 GiB. A case running past 10 s is a hang (its worker is killed and replaced),
// a worker whose peak RSS passes 1 GiB marks its case as a memory peak (and is replaced, so
// the next case starts from a clean peak), an exception that is not a coded refusal is a
// crash, and validate and run disagreeing on a model is a defect of its own. Writes
// hostile.json and hostile.md (figures per input kind) into the run directory; `refute report
// publish` copies them to reports/.
//
// Run: pnpm hostile [--cases N] [--workers W] [--out DIR]   (default 2,100 cases, 2 workers)

import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { gitSha } from "../../gates/report.ts";
import { RUN_DIR } from "../../gates/write.ts";
import { buildCase, KINDS, type Kind } from "./mutants.ts";

const HANG_MS = 10_000;
const PEAK_MIB = 1024;

interface Result {
  kind: Kind;
  index: number;
  outcome: "refused" | "accepted" | "disagree" | "crash" | "hang" | "peak";
  codes: string[];
  detail?: string;
  ms: number;
  peakRssMiB: number;
}

const { values } = parseArgs({ options: { cases: { type: "string", default: "2100" }, workers: { type: "string", default: "2" }, out: { type: "string", default: RUN_DIR } } });
const total = Number(values.cases);
const perKind = Math.ceil(total / KINDS.length);
const queue: [Kind, number][] = KINDS.flatMap((kind) => Array.from({ length: perKind }, (_, i) => [kind, i] as [Kind, number]));
const planned = queue.length;
const results: Result[] = [];
const started = Date.now();

/** One worker process: takes cases from the queue until it is empty; replaced after a hang or a peak. */
function runWorker(): Promise<void> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, ["--max-old-space-size=1024", "--import", "tsx", "scripts/hostile/worker.ts"], { stdio: ["pipe", "pipe", "ignore"] });
    let current: [Kind, number] | null = null;
    let inFlight = false;
    let timer: NodeJS.Timeout | undefined;
    let caseStart = 0;
    let replaced = false;
    const next = () => {
      current = queue.shift() ?? null;
      if (!current) return void child.stdin!.end();
      caseStart = Date.now();
      inFlight = true;
      timer = setTimeout(() => finish({ kind: current![0], index: current![1], outcome: "hang", codes: [], ms: HANG_MS, peakRssMiB: 0, detail: `still running after ${HANG_MS / 1000} s` }), HANG_MS);
      child.stdin!.write(`${current[0]} ${current[1]}\n`);
    };
    const finish = (r: Result) => {
      clearTimeout(timer);
      inFlight = false;
      results.push(r);
      if (results.length % 100 === 0) process.stderr.write(`hostile: ${results.length}/${planned} cases, ${Math.round((Date.now() - started) / 1000)} s\n`);
      if (r.outcome === "hang" || r.outcome === "peak") {
        replaced = true;
        child.kill("SIGKILL");
        return;
      }
      next();
    };
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const r = JSON.parse(line) as Result;
      finish(r.peakRssMiB > PEAK_MIB ? { ...r, outcome: "peak", detail: `peak RSS ${r.peakRssMiB} MiB (${r.outcome})` } : r);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (current && inFlight && !replaced) {
        results.push({ kind: current[0], index: current[1], outcome: "crash", codes: [], ms: Date.now() - caseStart, peakRssMiB: 0, detail: `the worker died (${signal ?? `exit ${code}`}): out of memory or a fatal error` });
      }
      resolve(queue.length > 0 ? runWorker() : undefined);
    });
    next();
  });
}

await Promise.all(Array.from({ length: Number(values.workers) }, () => runWorker()));

// ------------------------------------------------------------------ the figures

const BAD: Result["outcome"][] = ["crash", "hang", "peak", "disagree"];
const rows = KINDS.map((kind) => {
  const of = results.filter((r) => r.kind === kind);
  const count = (o: Result["outcome"]) => of.filter((r) => r.outcome === o).length;
  const codes = new Map<string, number>();
  for (const r of of) for (const c of r.codes) codes.set(c.split(":")[0], (codes.get(c.split(":")[0]) ?? 0) + 1);
  return {
    kind,
    cases: of.length,
    refused: count("refused"),
    accepted: count("accepted"),
    disagree: count("disagree"),
    crashes: count("crash"),
    hangs: count("hang"),
    peaks: count("peak"),
    slowestMs: Math.max(0, ...of.map((r) => r.ms)),
    peakRssMiB: Math.max(0, ...of.map((r) => r.peakRssMiB)),
    topCodes: [...codes].sort((a, b) => b[1] - a[1]).slice(0, 5),
  };
});
const failures = results.filter((r) => BAD.includes(r.outcome)).map((r) => ({ ...r, damage: buildCase(r.kind, r.index).damage }));
const summary = { cases: results.length, seconds: Math.round((Date.now() - started) / 1000), failures: failures.length, node: process.version, generatedAt: new Date().toISOString() };

mkdirSync(values.out!, { recursive: true });
// gitSha: `report publish` says when this goes out beside a report of another commit
writeFileSync(join(values.out!, "hostile.json"), `${JSON.stringify({ gitSha: gitSha(), summary, kinds: rows, failures }, null, 2)}\n`);
const md = [
  "# Hostile-input campaign",
  "",
  `${summary.cases} damaged inputs (scripts/hostile/mutants.ts, each rebuilt from its kind and index) through validate and a 2-token run (model files), claim parsing and expansion (YAML), or a generation and a forced scoring through the http runtime (server responses), in worker processes with a 1 GiB heap: **${summary.failures} crashes, hangs over ${HANG_MS / 1000} s, peaks over ${PEAK_MIB} MiB or validate/run disagreements** (${summary.seconds} s on Node ${summary.node}).`,
  "",
  "Refused: a coded error (RefuteError, a blocked check naming why, the server's own HTTP error). Accepted: it ran, harmlessly (a flipped weight bit, a config value the model tolerates). Peak RSS is the worker's, so it includes Node and the engine (about 110 MiB).",
  "",
  "| input | cases | refused | accepted | disagree | crashes | hangs | peaks | slowest | peak RSS | most frequent codes |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ...rows.map((r) => `| ${r.kind} | ${r.cases} | ${r.refused} | ${r.accepted} | ${r.disagree} | ${r.crashes} | ${r.hangs} | ${r.peaks} | ${r.slowestMs} ms | ${r.peakRssMiB} MiB | ${r.topCodes.map(([c, n]) => `${c} (${n})`).join(", ")} |`),
  "",
  ...(failures.length ? ["## Failures", "", ...failures.map((f) => `- ${f.kind} #${f.index} (${f.damage}): ${f.outcome}${f.detail ? `: ${f.detail}` : ""}`), ""] : []),
].join("\n");
writeFileSync(join(values.out!, "hostile.md"), `${md}\n`);
process.stderr.write(`hostile: ${summary.cases} cases, ${summary.failures} failures; ${join(values.out!, "hostile.md")}\n`);
process.exitCode = failures.length > 0 ? 1 : 0;
