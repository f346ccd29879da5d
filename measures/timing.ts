// Shared by the timing measures: the decode (tg) samples of a subject, and of a second one,
// taken in alternating rounds (subject, against, subject, ...) with one warm-up in the first
// round, so a noisy neighbour on a shared machine slows both alike. Rounds are cached by the
// run, so the claims that read the same samples (throughput ratio, variation) share them.

import type { BenchmarkResult, SubjectSpec } from "../runtimes/runtime.ts";
import { paramsSchema, type MeasureInput } from "./measure.ts";

/** How many tokens each tg sample decodes, over how many alternating rounds. */
export interface DecodeRounds {
  tokens: number;
  rounds: number;
}

export const DECODE_ROUNDS_SCHEMA = paramsSchema<DecodeRounds>({
  type: "object",
  additionalProperties: false,
  properties: {
    tokens: { type: "integer", minimum: 1, maximum: 4096, default: 32, description: "tokens decoded per sample (tg<tokens>)" },
    rounds: { type: "integer", minimum: 2, maximum: 100, default: 5, description: "alternating rounds, one sample per subject each" },
  },
  required: ["tokens", "rounds"],
});

export async function alternatedDecode(
  input: Pick<MeasureInput, "benchmark">,
  subjects: SubjectSpec[],
  { tokens, rounds }: DecodeRounds,
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
