// The bench harness: llama-bench's two tests, prompt processing (pp: one prompt of N tokens)
// and token generation (tg: N tokens decoded one at a time from an empty context), for the
// engine and llama.cpp in the same run, on the same GGUF file and the same thread count.
//
// Repetitions alternate between the runtimes (engine, llama.cpp, native llama-bench where it is
// built, engine, ...) after one unmeasured warm-up each (llama-bench's own, once per round: one
// invocation of -r 1 a round), so a noisy neighbour on a shared machine, or a slow phase of
// it, slows them alike rather than one of them. Each sample is kept; throughput is tokens /
// seconds per sample, then mean and sample standard deviation, as llama-bench reports avg_ts
// and stddev_ts.
//
// A tg row also gives the GB/s each runtime's decoding streams (t/s x the bytes of weights a step
// reads, decode-bytes.ts) as a share of the machine's streaming read bandwidth on the same
// threads (stream-bandwidth.ts), the ceiling of a memory-bound step, measured once a round beside
// the runtimes' repetitions: this machine's bandwidth moves from minute to minute.
//
// Not a test: minutes, not seconds. `pnpm bench` (cli/bench.ts) runs it.

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ZOO_DIR } from "../engine/load.ts";
import { EmbeddedRuntime } from "../runtimes/embedded.ts";
import { LlamacppRuntime } from "../runtimes/llamacpp.ts";
import { ggufFor } from "../runtimes/model-file.ts";
import type { LlamaToolsPlace } from "../core/llama-tools.ts";
import { benchGeneration, type BenchPrompt, type GenerationRow } from "./generation.ts";
import { joinNativeRounds, type NativeResult, runNativeBench } from "./native-llama-bench.ts";
import { measureMemory, type ModelMemory } from "./memory.ts";
import { decodeBytesPerToken } from "./decode-bytes.ts";
import { StreamReference } from "./stream-bandwidth.ts";
import { readGgufHeaderFile } from "../engine/formats/gguf/file.ts";
import type { Backend, BenchmarkRequest, BenchmarkResult, Quant, SubjectSpec } from "../runtimes/runtime.ts";
import { summarize, type TimingSummary } from "../runtimes/timing.ts";

/** How llama.cpp is driven, and what that costs: printed with every table. */
export const LLAMACPP_PATH =
  "llama.cpp runs through node-llama-cpp: pp is one evaluateWithoutGeneratingNewTokens call; tg is evaluate at temperature 0, " +
  "one asynchronous native call per token (a libuv worker-thread round trip of roughly 0.2-0.5 ms on a 2-core machine). " +
  "On the zoo's sub-million-parameter models that round trip, not llama.cpp's kernels, sets its tg; the SmolLM-135M shape is where kernels dominate.";

export interface BenchOptions {
  models: string[]; // zoo slugs, synthetic:<shape>, or .gguf paths
  quants: Quant[];
  reps: number;
  ppTokens: number;
  tgTokens: number;
  threads: number; // both runtimes'
  backend?: Backend; // the engine's (default cpu: the fastest CPU backend); cuda runs llama.cpp's CUDA build too
  warmup?: number; // unmeasured runs of each test and runtime before its repetitions (default 1)
  /** The generation test: each prompt's continuation of tgTokens tokens, with time to first token; verified against the oracle with `verify`. */
  prompts?: BenchPrompt[];
  verify?: boolean;
  oracleDir?: string;
  /** where llama.cpp's own tools are built: each pp and tg also runs native llama-bench (CPU backends) */
  native?: LlamaToolsPlace;
  /** MiB of the memory-bandwidth reference's region (stream-bandwidth.ts); 0 leaves it out */
  streamMiB?: number;
  log?: (line: string) => void;
}

export interface RuntimeTiming extends TimingSummary {
  runtime: "engine" | "llama.cpp";
  backend: string;
  threads: number;
}

export interface BenchRow {
  model: string;
  quant: Quant;
  file: string;
  fileBytes: number;
  params: number;
  test: string; // "pp128", "tg32" as llama-bench names them
  kind: "pp" | "tg";
  tokens: number;
  engine: RuntimeTiming;
  llamacpp: RuntimeTiming;
  ratio: number; // engine mean t/s / llama.cpp mean t/s
  /** native llama-bench on the same file and threads, or why it did not run */
  native: NativeResult;
  nativeRatio: number | null; // engine mean t/s / native mean t/s
  /** tg: the bytes of weights a decoding step reads (decode-bytes.ts); null for pp */
  decodeBytes: number | null;
  /** tg: the GB/s each runtime's decoding streams (mean t/s x decodeBytes) */
  streamGBps: StreamShares | null;
  /** tg: the stream reference of each round (its best pass), and their mean */
  streamReference: { meanGBps: number; samplesGBps: number[] } | null;
  /** tg: streamGBps over streamReference's mean */
  streamShare: StreamShares | null;
}

export interface StreamShares {
  engine: number;
  llamacpp: number;
  native: number | null;
}

/** Per model file: each runtime's RSS in a process of its own (bench/memory.ts). */
export interface BenchMemory extends ModelMemory {
  model: string;
  quant: Quant;
  fileBytes: number;
}

export interface BenchSkip {
  model: string;
  quant: Quant;
  reason: string;
}

export interface BenchReport {
  kind: "bench";
  version: 1;
  startedAt: string;
  finishedAt: string;
  gitSha: string | null;
  machine: { cpuModel: string; cpus: number; memoryGiB: number; platform: string; arch: string; hostname: string };
  node: string;
  llamacpp: { release: string; build: string; systemInfo: string } | null;
  settings: { reps: number; warmup: number; ppTokens: number; tgTokens: number; threads: { engine: number; llamacpp: number }; backend: Backend; order: string; llamacppPath: string; prompts: string[]; verify: boolean };
  /** the stream reference's region and threads (the bench's), or why the tg rows have none */
  stream: { threads: number; bytes: number } | { blocked: string };
  rows: BenchRow[];
  generation: GenerationRow[];
  skipped: BenchSkip[];
  memory: BenchMemory[];
  peakRssMiB: number;
}

/** The zoo models whose weights are present (config.json + safetensors). */
export function zooModels(): string[] {
  if (!existsSync(ZOO_DIR)) return [];
  return readdirSync(ZOO_DIR)
    .filter((d) => existsSync(join(ZOO_DIR, d, "config.json")))
    .sort();
}

/** llama.cpp runs on the GPU when the engine does, else on the CPU (it has no TypeScript or WebAssembly build). */
function spec(model: string, quant: Quant, runtime: "embedded" | "llamacpp", backend: Backend): SubjectSpec {
  return { model, format: "gguf", quant, backend: runtime === "llamacpp" && backend !== "cuda" ? "cpu" : backend, runtime };
}

/** Native llama-bench's timing of the same test, where the tools are built and the engine runs on the CPU. */
function nativeTiming(options: BenchOptions, backend: Backend, request: Parameters<typeof runNativeBench>[1]): Promise<NativeResult> {
  if (backend === "cuda") return Promise.resolve({ blocked: "native llama-bench is the CPU build; the CUDA bench compares with node-llama-cpp's CUDA build" });
  if (!options.native) return Promise.resolve({ blocked: "native llama-bench not asked for" });
  return runNativeBench(options.native, request);
}

/** The region and threads that decoding's bandwidth is measured against, or why there are none. */
async function openStreamReference(options: BenchOptions): Promise<StreamReference | { blocked: string }> {
  const mib = options.streamMiB ?? 256;
  if (mib === 0) return { blocked: "not asked for (--stream-mib 0)" };
  try {
    return await StreamReference.open(options.threads, mib);
  } catch (e) {
    return { blocked: (e as Error).message };
  }
}

/** A tg row's streamed GB/s per runtime, and their shares of the reference's rounds. */
function streamFigures(row: BenchRow, rounds: number[]): Pick<BenchRow, "streamGBps" | "streamReference" | "streamShare"> {
  if (row.decodeBytes === null) return { streamGBps: null, streamReference: null, streamShare: null };
  const gbps = (tps: number) => (tps * (row.decodeBytes as number)) / 1e9;
  const streamGBps = { engine: gbps(row.engine.meanTps), llamacpp: gbps(row.llamacpp.meanTps), native: "meanTps" in row.native ? gbps(row.native.meanTps) : null };
  if (rounds.length === 0) return { streamGBps, streamReference: null, streamShare: null };
  const meanGBps = rounds.reduce((a, b) => a + b, 0) / rounds.length;
  const share = (v: number) => v / meanGBps;
  return { streamGBps, streamReference: { meanGBps, samplesGBps: rounds }, streamShare: { engine: share(streamGBps.engine), llamacpp: share(streamGBps.llamacpp), native: streamGBps.native === null ? null : share(streamGBps.native) } };
}

/** Contexts are bounded by the model: a tiny zoo model may hold fewer positions than asked. */
function fitToContext(tokens: number, maxPositions: number): number {
  return Math.max(1, Math.min(tokens, maxPositions - 1));
}

export async function runBench(options: BenchOptions): Promise<Omit<BenchReport, "startedAt" | "finishedAt" | "gitSha" | "machine" | "node">> {
  const log = options.log ?? (() => {});
  const backend = options.backend ?? "cpu";
  const rows: BenchRow[] = [];
  const generation: GenerationRow[] = [];
  const skipped: BenchSkip[] = [];
  const warmup = options.warmup ?? 1;
  const memory: BenchMemory[] = [];
  let llamacppInfo: BenchReport["llamacpp"] = null;
  let stream = await openStreamReference(options);
  log(stream instanceof StreamReference ? `memory bandwidth reference: ${stream.bytes} bytes streamed on ${stream.threads} thread${stream.threads === 1 ? "" : "s"} once a tg round` : `memory bandwidth reference: ${stream.blocked}`);
  for (const model of options.models) {
    for (const quant of options.quants) {
      let file: string;
      try {
        file = ggufFor(spec(model, quant, "embedded", backend));
      } catch (e) {
        skipped.push({ model, quant, reason: (e as Error).message });
        log(`skip ${model} ${quant}: ${(e as Error).message}`);
        continue;
      }
      // Both runtimes open this very file.
      const engine = new EmbeddedRuntime({ threads: options.threads });
      const llamacpp = new LlamacppRuntime({ threads: options.threads, contextSize: Math.max(options.ppTokens, options.tgTokens) + 8 });
      const subject = spec(file, quant, "embedded", backend);
      const reference = spec(file, quant, "llamacpp", backend);
      try {
        const info = await engine.modelInfo(subject);
        const maxPositions = info.maxPositions;
        llamacppInfo ??= await llamacpp.describe();
        for (const [kind, asked] of [
          ["pp", options.ppTokens],
          ["tg", options.tgTokens],
        ] as const) {
          const tokens = fitToContext(asked, maxPositions);
          const request: BenchmarkRequest = { kind, tokens, reps: 1, warmup: 0 };
          log(`${model} ${quant} ${kind}${tokens}: warm-up`);
          await engine.benchmark(subject, { ...request, warmup, reps: 0 });
          await llamacpp.benchmark(reference, { ...request, warmup, reps: 0 });
          const mine: BenchmarkResult[] = [];
          const theirs: BenchmarkResult[] = [];
          const nativeRounds: NativeResult[] = [];
          const streamRounds: number[] = [];
          for (let r = 0; r < options.reps; r++) {
            mine.push(await engine.benchmark(subject, request));
            theirs.push(await llamacpp.benchmark(reference, request));
            // a round that cannot run says why; the next would say the same
            if (!nativeRounds.some((n) => "blocked" in n)) nativeRounds.push(await nativeTiming(options, backend, { file, kind, tokens, reps: 1, threads: options.threads }));
            if (kind === "tg" && stream instanceof StreamReference) {
              try {
                streamRounds.push(stream.measure(10).gbps);
              } catch (e) {
                await stream.close();
                stream = { blocked: (e as Error).message };
              }
            }
          }
          const timing = (results: BenchmarkResult[], runtime: RuntimeTiming["runtime"]): RuntimeTiming => ({
            runtime,
            backend: results[0].backend,
            threads: results[0].threads,
            ...summarize({ samplesMs: results.flatMap((x) => x.samplesMs), tokens }),
          });
          const row: BenchRow = {
            model,
            quant,
            file,
            fileBytes: statSync(file).size,
            params: info.params,
            test: `${kind}${tokens}`,
            kind,
            tokens,
            engine: timing(mine, "engine"),
            llamacpp: timing(theirs, "llama.cpp"),
            ratio: 0,
            native: joinNativeRounds(nativeRounds),
            nativeRatio: null,
            decodeBytes: kind === "tg" ? decodeBytesPerToken(readGgufHeaderFile(file).header) : null,
            streamGBps: null,
            streamReference: null,
            streamShare: null,
          };
          row.ratio = row.engine.meanTps / row.llamacpp.meanTps;
          if ("meanTps" in row.native) row.nativeRatio = row.engine.meanTps / row.native.meanTps;
          Object.assign(row, streamFigures(row, streamRounds));
          rows.push(row);
          const native = "meanTps" in row.native ? `, native ${row.native.meanTps.toFixed(1)} t/s (ratio ${row.nativeRatio?.toFixed(3)})` : `, native: ${row.native.blocked}`;
          log(`${model} ${quant} ${row.test}: engine ${row.engine.meanTps.toFixed(1)} t/s, llama.cpp ${row.llamacpp.meanTps.toFixed(1)} t/s, ratio ${row.ratio.toFixed(3)}${native}`);
        }
        if (options.prompts) {
          const maxNewTokens = fitToContext(options.tgTokens, maxPositions);
          log(`${model} ${quant}: generation of ${options.prompts.length} prompts, ${maxNewTokens} tokens each${options.verify ? ", verified against the oracle" : ""}`);
          const gen = await benchGeneration(engine, subject, llamacpp, reference, { model, quant, prompts: options.prompts, maxNewTokens, reps: options.reps, warmup, verify: options.verify === true, oracleDir: options.oracleDir ?? "oracle" });
          for (const g of gen) log(`${model} ${quant} ${g.test}: engine ${g.engine.meanTps.toFixed(1)} t/s, TTFT ${g.engine.ttftMs.toFixed(2)} ms; llama.cpp ${g.llamacpp.meanTps.toFixed(1)} t/s, TTFT ${g.llamacpp.ttftMs.toFixed(2)} ms${g.verify ? `; verify ${g.verify.ok ? "ok" : "FAILED"}` : ""}`);
          generation.push(...gen);
        }
        log(`${model} ${quant}: memory, one process per runtime`);
        try {
          memory.push({ model, quant, fileBytes: statSync(file).size, ...(await measureMemory(file, quant, options.threads, backend)) });
        } catch (e) {
          skipped.push({ model, quant, reason: `memory: ${(e as Error).message.split("\n")[0]}` });
        }
      } catch (e) {
        skipped.push({ model, quant, reason: (e as Error).message });
        log(`skip ${model} ${quant}: ${(e as Error).message}`);
      } finally {
        await engine.close();
        await llamacpp.close();
      }
    }
  }
  if (stream instanceof StreamReference) await stream.close();
  return {
    kind: "bench",
    version: 1,
    llamacpp: llamacppInfo,
    stream: stream instanceof StreamReference ? { threads: stream.threads, bytes: stream.bytes } : stream,
    settings: {
      reps: options.reps,
      warmup,
      ppTokens: options.ppTokens,
      tgTokens: options.tgTokens,
      threads: { engine: rows[0]?.engine.threads ?? options.threads, llamacpp: options.threads },
      backend,
      order: `${warmup} warm-up run${warmup === 1 ? "" : "s"} each, then repetitions alternating engine, llama.cpp${options.native ? ", native llama-bench (-r 1 a round, its own warm-up each)" : ""}`,
      llamacppPath: LLAMACPP_PATH,
      prompts: (options.prompts ?? []).map((p) => p.name),
      verify: options.verify === true,
    },
    rows,
    generation,
    skipped,
    memory,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
