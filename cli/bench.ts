// `refute bench` (`pnpm bench`): llama-bench-style pp and tg for the engine and llama.cpp in
// one run, on the same GGUF and thread count, with the ratio engine / llama.cpp. Writes
// <out>/bench.json (atomically; default the git-ignored run directory) and appends one line to <out>/history.jsonl.

import { execa } from "execa";
import { fileURLToPath } from "node:url";
import { appendFile, mkdir } from "node:fs/promises";
import { nativePlace } from "../bench/native-llama-bench.ts";
import { bundleHead } from "../core/llama-vocabularies.ts";
import { availableParallelism, totalmem } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError, Option } from "commander";
import { writeAtomic } from "../core/atomic-write.ts";
import { BACKENDS, QUANTS, type Backend, type Quant } from "../core/vocabulary.ts";
import { gitSha, machineInfo } from "../gates/report.ts";
import { RUN_DIR, refreshHtml } from "../gates/write.ts";
import { readPrompts, verificationProblem } from "../bench/generation.ts";
import { runBench, zooModels, type BenchReport } from "../bench/run.ts";
import { streamFigure } from "../bench/stream-figure.ts";
import { RefuteError } from "../core/errors.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";
import { commaList, nonNegativeInteger, positiveInteger, withoutOptions } from "./options.ts";

/** The refute command, for a bench under another Node. */
const BIN = fileURLToPath(new URL("../bin/refute.mjs", import.meta.url));

interface BenchOptions {
  models?: string[];
  quants: Quant[];
  reps: number;
  tokens: [number, number];
  threads: number;
  backend: Backend;
  qwen2?: boolean;
  warmup: number;
  prompts?: string;
  verify?: boolean;
  native: boolean;
  tinyllama?: boolean;
  node?: string;
  streamMib: number;
  out: string;
}

/**
 * --stream-mib: at most a quarter of this machine's memory (every page of the region is written)
 * and 4095 MiB: the region lies in one 32-bit WebAssembly memory from byte 0, and a 4096 MiB one
 * would end at byte 2^32, which the kernel's i32 end reads as 0.
 */
const STREAM_MIB_MAX = 4095;

export function streamMiB(text: string, machineBytes = totalmem()): number {
  const mib = nonNegativeInteger(text);
  const quarter = Math.floor(machineBytes / 4 / 2 ** 20);
  const limit = Math.min(STREAM_MIB_MAX, quarter);
  if (mib > limit) throw new InvalidArgumentError(`Expected at most ${limit} MiB (${STREAM_MIB_MAX}, the most a 32-bit memory holds whole, and a quarter of this machine's ${Math.round(machineBytes / 2 ** 20)} MiB: the region is written whole).`);
  return mib;
}

/** --tokens: pp,tg token counts, or one count for both. */
function tokenCounts(text: string): [number, number] {
  const counts = text.split(",").map(positiveInteger);
  if (counts.length > 2) throw new InvalidArgumentError("Expected <pp>,<tg> or one count for both.");
  return [counts[0], counts[1] ?? counts[0]];
}

const si = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} K` : String(n));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

export function renderTable(report: BenchReport): string {
  const header = ["model", "size", "params", "quant", "engine", "threads", "test", "engine t/s", "llama.cpp t/s", "engine/llama.cpp", "native t/s", "engine/native"];
  const rows = report.rows.map((r) => [
    r.model,
    mib(r.fileBytes),
    si(r.params),
    r.quant,
    r.engine.backend,
    `${r.engine.threads}/${r.llamacpp.threads}`,
    r.test,
    `${r.engine.meanTps.toFixed(2)} ± ${r.engine.stdTps.toFixed(2)}`,
    `${r.llamacpp.meanTps.toFixed(2)} ± ${r.llamacpp.stdTps.toFixed(2)}`,
    `${r.ratio.toFixed(3)}x`,
    "meanTps" in r.native ? `${r.native.meanTps.toFixed(2)} ± ${r.native.stdTps.toFixed(2)}` : "-",
    r.nativeRatio === null ? "-" : `${r.nativeRatio.toFixed(3)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = (i: number) => i >= 7;
  const line = (cells: string[]) => `| ${cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")} |`;
  const out = [line(header), `|${widths.map((w, i) => (numeric(i) ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|")}|`, ...rows.map(line)];
  const reasons = new Set(report.rows.flatMap((r) => ("blocked" in r.native ? [`native ${r.model} ${r.quant} ${r.test}: ${r.native.blocked}`] : [])));
  out.push(...reasons);
  for (const s of report.skipped) out.push(`skipped ${s.model} ${s.quant}: ${s.reason}`);
  return out.join("\n");
}

/** Per tg row: the GB/s each runtime's decoding streams and its share of the stream reference measured in the same rounds. */
export function renderStream(report: BenchReport): string {
  const { stream } = report;
  const lines = ["threads" in stream ? `stream reference: ${mib(stream.bytes)} read on ${stream.threads} thread${stream.threads === 1 ? "" : "s"}, once a tg round (its best of 10 passes)` : `stream reference: ${stream.blocked}`];
  for (const r of report.rows) {
    if (!r.streamGBps || r.decodeBytes === null) continue;
    const s = r.streamShare;
    const reference = r.streamReference ? `; stream ${r.streamReference.meanGBps.toFixed(1)} GB/s (${r.streamReference.samplesGBps.map((g) => g.toFixed(1)).join(", ")})` : "";
    lines.push(`${r.model} ${r.quant} ${r.test} (${mib(r.decodeBytes)} a token): engine ${streamFigure(r.streamGBps.engine, s?.engine, " GB/s")}, llama.cpp ${streamFigure(r.streamGBps.llamacpp, s?.llamacpp, " GB/s")}, native ${streamFigure(r.streamGBps.native, s?.native, " GB/s")}${reference}`);
  }
  return lines.join("\n");
}

export function renderGeneration(report: BenchReport): string {
  const lines = [
    "| model | quant | test | engine t/s | llama.cpp t/s | engine/llama.cpp | engine TTFT ms | llama.cpp TTFT ms | verified |",
    "|---|---|---|---:|---:|---:|---:|---:|---|",
    ...report.generation.map((g) => {
      const v = g.verify ? (g.verify.ok ? `ok (${g.verify.engine}/${g.verify.llamacpp} of ${g.verify.allowed} allowed)` : `FAILED (${g.verify.engine}/${g.verify.llamacpp} > ${g.verify.allowed}${g.verify.deterministic ? "" : ", repetitions differ"})`) : "-";
      return `| ${g.model} | ${g.quant} | ${g.test} | ${g.engine.meanTps.toFixed(1)} ± ${g.engine.stdTps.toFixed(1)} | ${g.llamacpp.meanTps.toFixed(1)} ± ${g.llamacpp.stdTps.toFixed(1)} | ${g.ratio.toFixed(3)}x | ${g.engine.ttftMs.toFixed(2)} | ${g.llamacpp.ttftMs.toFixed(2)} | ${v} |`;
    }),
  ];
  return lines.join("\n");
}

/** Peak and settled RSS of a process per runtime and model, next to the file size. */
export function renderMemory(report: BenchReport): string {
  const mibs = (n: number) => `${n.toFixed(1)} MiB`;
  const lines = [
    "| model | quant | file | engine peak | engine after | llama.cpp peak | llama.cpp after | no model |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    ...report.memory.map((m) =>
      `| ${m.model} | ${m.quant} | ${mib(m.fileBytes)} | ${mibs(m.engine.peakMiB)} | ${mibs(m.engine.rssMiB)} | ${mibs(m.llamacpp.peakMiB)} | ${mibs(m.llamacpp.rssMiB)} | ${mibs(m.baseline.peakMiB)} |`,
    ),
  ];
  return lines.join("\n");
}

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("bench", io)
    .description(
      "llama-bench-style timings of the engine and llama.cpp (node-llama-cpp, CPU) in the same run, on the same GGUF file and thread count: pp (prompt processing, one prompt of N tokens) and tg (N tokens generated one at a time), repetitions alternating between the runtimes (native llama-bench too where it is built: one run of it a round), mean and standard deviation of tokens/second, and the ratios engine / llama.cpp. Writes <out>/bench.json and appends a line to <out>/history.jsonl.",
    )
    .addOption(commaList(new Option("--models <list>", "zoo slugs, synthetic:<shape> or .gguf files, comma-separated (default: every zoo model with weights, and synthetic:smollm-135m-shape, random weights with SmolLM-135M's shape)")))
    .addOption(commaList(new Option("--quants <list>", "quantizations, comma-separated (a .gguf file runs only at its own: f16 for an F16 file; the engine exports the others)"), QUANTS).default(["f32", "q8_0", "q4_0"], "f32,q8_0,q4_0"))
    .addOption(new Option("--reps <n>", "measured repetitions per runtime").argParser(positiveInteger).default(5))
    .addOption(new Option("--tokens <pp,tg>", "pp and tg token counts, or one count for both (capped by the model's context)").argParser(tokenCounts).default([64, 32], "64,32"))
    .addOption(
      new Option("--threads <n>", "threads of both runtimes; on a 2-core machine llama.cpp's tg varies more at 2 threads than at 1, so compare --threads 1 too")
        .argParser(positiveInteger)
        .default(availableParallelism(), "every core"),
    )
    .addOption(
      new Option("--backend <name>", "the engine's backend; with cuda, llama.cpp runs its CUDA build (npm @node-llama-cpp/linux-x64-cuda), and a side that cannot run is listed as skipped with the reason")
        .choices(BACKENDS)
        .default("cpu"),
    )
    .option("--qwen2", "also synthetic:qwen2-0.5b-shape (about 2 GB at f32; slow)")
    .option("--tinyllama", "also synthetic:tinyllama-1.1b-shape (4.4 GB at f32: past a 32-bit memory, so cpu-wasm gives it its 64-bit one where the runtime has memory64, Node 24, and refuses it on Node 20; slow)")
    .option("--no-native", "leave out native llama-bench (run by default where `pnpm refute setup llama.cpp` built it, its no-AMX flavour first, else each row says it is not built)")
    .option("--node <path>", "run the bench under this Node.js binary (for example models/cache/node-24/bin/node from `bash scripts/node/install.sh 24`); bench.json records its version")
    .addOption(
      new Option("--stream-mib <n>", "MiB of the memory-bandwidth reference, streamed on the bench's threads once a tg round: each tg row gives its decoding's GB/s as a share of it (0 leaves it out)")
        .argParser((text) => streamMiB(text))
        .default(256),
    )
    .addOption(new Option("--warmup <n>", "unmeasured runs of each test and runtime before its repetitions").argParser(nonNegativeInteger).default(1))
    .option("--prompts <file>", "also time each prompt's greedy continuation (one prompt per line; bench/prompts.txt holds the oracle's four): time to first token and decode throughput, engine and llama.cpp")
    .option("--verify", "with --prompts: check every timed output against the oracle while timing (F32 token for token, Q8_0 within 3/32 and Q4 within 5/32 mismatched tokens, every repetition the same); a failed check fails the bench (exit 1)")
    .option("--out <dir>", "where bench.json and history.jsonl go (git-ignored; `refute report publish` copies bench.json to reports/)", RUN_DIR);
  onRun(command, (options: BenchOptions) => (options.node ? benchUnder(options.node, argv, io) : bench(options, io)));
  return runCommand(command, argv, io);
}

/** argv without --node and its value (both spellings), for the run under that Node. */
export function withoutNodeOption(argv: string[]): string[] {
  return withoutOptions(argv, ["--node"]);
}

/** The same bench under another Node.js binary, its output passed through; its exit code is ours. */
async function benchUnder(node: string, argv: string[], io: Output): Promise<number> {
  const version = await execa(node, ["--version"], { reject: false, timeout: 30_000 });
  if (version.exitCode !== 0 || !/^v\d+\.\d+\.\d+/.test(String(version.stdout))) {
    throw new RefuteError("E_USAGE", `--node ${node}: not a Node.js binary that runs here (${version.shortMessage}); bash scripts/node/install.sh 24 installs one`, { file: node });
  }
  io.err(`bench: running under Node.js ${String(version.stdout).trim()} (${node})`);
  const child = execa(node, [BIN, "bench", ...withoutNodeOption(argv)], { reject: false, stdin: "ignore" });
  child.stdout?.on("data", (chunk: Buffer) => io.out(chunk.toString("utf8").replace(/\n$/, "")));
  child.stderr?.on("data", (chunk: Buffer) => io.err(chunk.toString("utf8").replace(/\n$/, "")));
  const done = await child;
  return done.exitCode ?? 1;
}

async function bench(options: BenchOptions, io: Output): Promise<number> {
  if (options.verify && !options.prompts) throw new RefuteError("E_USAGE", "--verify checks the generation test's outputs: give --prompts FILE", {});
  const prompts = options.prompts ? readPrompts(options.prompts) : undefined;
  // --verify without a model list benches the zoo only: a synthetic shape has no oracle
  const models = options.models ?? [...zooModels(), ...(options.verify ? [] : ["synthetic:smollm-135m-shape"])];
  if (options.qwen2) models.push("synthetic:qwen2-0.5b-shape");
  if (options.tinyllama) models.push("synthetic:tinyllama-1.1b-shape");
  const [ppTokens, tgTokens] = options.tokens;
  if (options.verify && prompts) {
    for (const model of models) {
      const problem = verificationProblem("oracle", model, prompts, tgTokens);
      if (problem) throw new RefuteError("E_USAGE", `--verify: ${problem}`, { model });
    }
  }
  const out = options.out;
  const startedAt = new Date().toISOString();
  const partial = await runBench({
    models,
    quants: options.quants,
    reps: options.reps,
    ppTokens,
    tgTokens,
    threads: options.threads,
    backend: options.backend,
    warmup: options.warmup,
    prompts,
    verify: options.verify === true,
    native: options.native ? nativePlace(bundleHead()) : undefined,
    streamMiB: options.streamMib,
    log: (l) => io.err(`bench: ${l}`),
  });
  const m = machineInfo();
  const report: BenchReport = {
    ...partial,
    startedAt,
    finishedAt: new Date().toISOString(),
    gitSha: gitSha(),
    machine: { cpuModel: m.cpuModel, cpus: m.cpus, memoryGiB: m.memoryGiB, platform: m.platform, arch: m.arch, hostname: m.hostname },
    node: process.version,
  };
  io.out(renderTable(report));
  io.out(`\ndecoding's read bandwidth (t/s x the weights a step reads; in brackets its share of the stream reference):\n${renderStream(report)}`);
  if (report.generation.length > 0) io.out(`\ngeneration (greedy continuation of each prompt; TTFT: a one-token generation):\n${renderGeneration(report)}`);
  io.out(`\nmemory (RSS of one process per runtime and model: peak, and after decoding 8 tokens):\n${renderMemory(report)}`);
  io.out(`\nnote: ${report.settings.llamacppPath}`);
  io.out(`\ngit ${report.gitSha?.slice(0, 12) ?? "?"} | ${m.cpuModel}, ${m.cpus} cores | node ${process.version} | llama.cpp ${report.llamacpp?.release ?? "?"} | peak RSS ${report.peakRssMiB} MiB`);

  await mkdir(out, { recursive: true });
  await writeAtomic(join(out, "bench.json"), JSON.stringify(report, null, 2) + "\n");
  const history = {
    kind: "bench",
    gitSha: report.gitSha,
    time: report.finishedAt,
    machine: m.hostname,
    cpuModel: m.cpuModel,
    ratios: Object.fromEntries(report.rows.map((r) => [`${r.model}/${r.quant}/${r.test}`, Number(r.ratio.toFixed(4))])),
  };
  await appendFile(join(out, "history.jsonl"), JSON.stringify(history) + "\n");
  const html = await refreshHtml(out);
  io.out(`wrote ${join(out, "bench.json")}${html ? `, ${html}` : ""}, appended ${join(out, "history.jsonl")}`);
  const failed = report.generation.filter((g) => g.verify && !g.verify.ok);
  for (const g of failed) io.err(`bench: verification failed: ${g.model} ${g.quant} ${g.test}: engine ${g.verify?.engine}, llama.cpp ${g.verify?.llamacpp} mismatched tokens against ${g.verify?.reference} (${g.verify?.allowed} allowed)${g.verify?.deterministic ? "" : "; repetitions differ"}`);
  return report.rows.length > 0 && failed.length === 0 ? 0 : 1;
}
