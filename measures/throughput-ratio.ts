// throughput-ratio: decode throughput (tg, tokens/second) of the subject over that of
// `against` (e.g. the engine over llama.cpp on the same GGUF and thread count), from
// alternating rounds (or the CUDA backend over the CPU one, seed F-PERF-003). Value: the
// ratio of the mean tokens/second.

import { BlockedError } from "../runtimes/runtime.ts";
import { summarize } from "../runtimes/timing.ts";
import { defineMeasure } from "./measure.ts";
import { alternatedDecode, DECODE_ROUNDS_SCHEMA, type DecodeRounds } from "./timing.ts";

export const throughputRatio = defineMeasure<DecodeRounds>({
  name: "throughput-ratio",
  description: "mean decode tokens/second of the subject over a second subject's, from alternating rounds",
  input: "subject",
  needsAgainst: true,
  value: "number",
  oracle: () => "none",
  needs: ["benchmark"],
  params: DECODE_ROUNDS_SCHEMA,
  quantity: () => "decode throughput ratio",
  async observe(input, params) {
    const { subject, against } = input;
    const { tokens, rounds } = params;
    const { samplesMs, results } = await alternatedDecode(input, [subject, against!], params);
    const [threads, theirThreads] = [results[0][0].threads, results[1][0].threads];
    if (threads !== theirThreads && subject.backend !== "cuda" && against!.backend !== "cuda") {
      // Between CPU subjects a ratio of different thread counts is not the claim's; say how
      // to make them equal. A GPU against a CPU compares devices, threads and all.
      throw new BlockedError(`thread counts differ: ${subject.runtime} ${threads}, ${against!.runtime} ${theirThreads} (set REFUTE_THREADS, which both follow, e.g. REFUTE_THREADS=1)`);
    }
    const [mine, theirs] = samplesMs.map((s) => summarize({ samplesMs: s, tokens: tokens }));
    const ratio = mine.meanTps / theirs.meanTps;
    const side = (label: string, s: typeof mine, threads: number) => `${label} ${s.meanTps.toFixed(1)} ± ${s.stdTps.toFixed(1)} t/s (${threads} thread${threads > 1 ? "s" : ""})`;
    return {
      value: ratio,
      summary: `tg${tokens}: ${side(subject.runtime, mine, results[0][0].threads)} vs ${side(against!.runtime, theirs, results[1][0].threads)}: ratio ${ratio.toFixed(3)}`,
      evidence: {
        notes: [
          `${rounds} alternating rounds of tg${tokens} after one warm-up each`,
          `${subject.runtime} (${results[0][0].backend}) ms: ${mine.samplesMs.map((x) => x.toFixed(2)).join(", ")}`,
          `${against!.runtime} (${results[1][0].backend}) ms: ${theirs.samplesMs.map((x) => x.toFixed(2)).join(", ")}`,
        ],
      },
    };
  },
});
