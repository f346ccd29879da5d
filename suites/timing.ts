// Shared by the timing measures: the decode (tg) samples of a subject, and of a second one,
// taken in alternating rounds (subject, against, subject, ...) with one warm-up in the first
// round, so a noisy neighbour on a shared machine slows both alike. Rounds are cached by the
// run, so the claims that read the same samples (throughput ratio, variation) share them.

import type { BenchmarkResult, SubjectSpec } from "../runtimes/runtime.ts";
import type { MeasureInput } from "./measure.ts";

export const DECODE_TOKENS = 32;
export const DECODE_ROUNDS = 5;

export async function alternatedDecode(
  input: Pick<MeasureInput, "benchmark">,
  subjects: SubjectSpec[],
  tokens = DECODE_TOKENS,
  rounds = DECODE_ROUNDS,
): Promise<{ samplesMs: number[][]; results: BenchmarkResult[][] }> {
  const results: BenchmarkResult[][] = subjects.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, subject] of subjects.entries()) {
      results[i].push(await input.benchmark(subject, { kind: "tg", tokens, reps: 1, warmup: round === 0 ? 1 : 0, round }));
    }
  }
  return { samplesMs: results.map((r) => r.flatMap((x) => x.samplesMs)), results };
}

export const ms = (x: number) => `${x.toFixed(1)} ms`;
