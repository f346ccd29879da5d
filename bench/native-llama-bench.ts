// The native reference: llama.cpp's own llama-bench (built by `refute setup llama.cpp` from
// the source node-llama-cpp ships) on the same GGUF and thread count as the engine, so a
// ratio is also given against llama.cpp without node-llama-cpp's worker-thread round trip per
// token. pp and tg run as two invocations, so a crash of one test (this machine's AMX fault
// on quantized prompts, reports/findings.md) still leaves the other; a test that cannot run
// gives its reason instead of a number. The no-AMX build (`refute setup llama.cpp --flavor
// no-amx`) is the reference where it exists, and the row names it.
// Output: `-o jsonl`, one JSON object per test; read bounded and checked field by field.

import { execa } from "execa";
import { builtTool, LLAMA_TOOLS_CACHE, type LlamaToolsPlace, toolsBuilt, toolsPlace } from "../core/llama-tools.ts";
import { mean, std } from "../runtimes/timing.ts";

export interface NativeTiming {
  backend: string; // "llama.cpp native (llama-bench de3ff81)"
  threads: number;
  samplesTps: number[];
  meanTps: number;
  stdTps: number;
}

/** A native test's timing, or why there is none. */
export type NativeResult = NativeTiming | { blocked: string };

export interface NativeRequest {
  file: string;
  kind: "pp" | "tg";
  tokens: number;
  reps: number;
  threads: number;
}

const MAX_OUTPUT = 1 << 20; // llama-bench prints one line of about 1.5 KB per test
const TIMEOUT_MS = 10 * 60_000;

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** The timing in one line of llama-bench's jsonl, or the reason the line is not one. */
export function parseNativeLine(line: string, request: NativeRequest): NativeTiming | { blocked: string } {
  let row: Record<string, unknown>;
  try {
    row = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { blocked: `llama-bench printed a line that is not JSON: ${line.slice(0, 80)}` };
  }
  if (typeof row !== "object" || row === null) return { blocked: "llama-bench printed a JSON value that is not an object" };
  const samples = row.samples_ts;
  if (!Array.isArray(samples) || samples.length === 0 || !samples.every(isNumber) || !isNumber(row.avg_ts) || !isNumber(row.stddev_ts)) {
    return { blocked: "llama-bench's result lacks samples_ts, avg_ts or stddev_ts as numbers" };
  }
  const tokens = request.kind === "pp" ? row.n_prompt : row.n_gen;
  if (tokens !== request.tokens || row.n_threads !== request.threads) {
    return { blocked: `llama-bench ran ${String(tokens)} tokens on ${String(row.n_threads)} threads, asked ${request.tokens} on ${request.threads}` };
  }
  const build = typeof row.build_commit === "string" ? row.build_commit.slice(0, 16) : "?";
  return { backend: `llama.cpp native (llama-bench ${build})`, threads: request.threads, samplesTps: samples as number[], meanTps: row.avg_ts, stdTps: row.stddev_ts };
}

/** What a finished or killed llama-bench run gives: its result line, or why there is none. */
export function nativeResult(run: { exitCode?: number; signal?: string; stdout: string; stderr: string; timedOut?: boolean }, request: NativeRequest): NativeResult {
  if (run.timedOut) return { blocked: `llama-bench did not finish within ${TIMEOUT_MS / 60_000} minutes` };
  if (run.signal || run.exitCode !== 0) {
    const last = run.stderr.trim().split("\n").at(-1)?.slice(0, 160) ?? "";
    return { blocked: `llama-bench ${request.kind}${request.tokens} ${run.signal ? `was killed by ${run.signal}` : `exited ${run.exitCode}`}${last ? `: ${last}` : ""}` };
  }
  const line = run.stdout.trim().split("\n").at(-1) ?? "";
  return line ? parseNativeLine(line, request) : { blocked: "llama-bench printed no result" };
}

/** Runs one llama-bench test (its own warm-up run included), or says why it cannot run. */
export async function runNativeBench(place: LlamaToolsPlace, request: NativeRequest): Promise<NativeResult> {
  const tool = builtTool(place, "llama-bench");
  if ("blocked" in tool) return tool;
  const [p, n] = request.kind === "pp" ? [request.tokens, 0] : [0, request.tokens];
  const args = ["-m", request.file, "-p", String(p), "-n", String(n), "-r", String(request.reps), "-t", String(request.threads), "-o", "jsonl"];
  const run = await execa(tool.path, args, { reject: false, timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT, stdin: "ignore" });
  const result = nativeResult({ exitCode: run.exitCode, signal: run.signal, stdout: String(run.stdout), stderr: String(run.stderr), timedOut: run.timedOut }, request);
  return "backend" in result && place.flavor !== "default" ? { ...result, backend: result.backend.replace(/\)$/, `, ${place.flavor})`) } : result;
}

/**
 * One test's rounds (the bench runs llama-bench once per round, between the engine's and
 * node-llama-cpp's repetitions) as one timing: every sample in round order, their mean and
 * sample standard deviation; the first reason where a round could not run.
 */
export function joinNativeRounds(rounds: readonly NativeResult[]): NativeResult {
  if (rounds.length === 0) return { blocked: "llama-bench ran no rounds" };
  const blocked = rounds.find((r): r is { blocked: string } => "blocked" in r);
  if (blocked) return blocked;
  const timings = rounds as readonly NativeTiming[];
  const samplesTps = timings.flatMap((t) => t.samplesTps);
  return { backend: timings[0].backend, threads: timings[0].threads, samplesTps, meanTps: mean(samplesTps), stdTps: std(samplesTps) };
}

/** The bench's native reference: the no-AMX llama-bench where it is built, else the default build's. */
export function nativePlace(commit: string, cache = LLAMA_TOOLS_CACHE): LlamaToolsPlace {
  const noAmx = toolsPlace(commit, cache, "no-amx");
  return toolsBuilt(noAmx) ? noAmx : toolsPlace(commit, cache);
}
