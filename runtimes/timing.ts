// Statistics of timing samples, as llama-bench reports them: throughput per repetition
// (tokens / seconds), then the mean and sample standard deviation of those throughputs.

import type { BenchmarkResult } from "./runtime.ts";

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n - 1); 0 for a single sample. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface TimingSummary {
  samplesMs: number[];
  tokensPerSecond: number[]; // per repetition
  meanTps: number;
  stdTps: number;
  meanMs: number;
  stdMs: number;
  cv: number; // coefficient of variation of the times: stdMs / meanMs
}

export function summarize(result: Pick<BenchmarkResult, "samplesMs" | "tokens">): TimingSummary {
  const tokensPerSecond = result.samplesMs.map((ms) => result.tokens / (ms / 1000));
  const meanMs = mean(result.samplesMs);
  const stdMs = std(result.samplesMs);
  return { samplesMs: result.samplesMs, tokensPerSecond, meanTps: mean(tokensPerSecond), stdTps: std(tokensPerSecond), meanMs, stdMs, cv: stdMs / meanMs };
}
