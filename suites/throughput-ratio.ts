// throughput-ratio: decode throughput (tg, tokens/second) of the subject over that of
// `against` (e.g. the engine over llama.cpp on the same GGUF and thread count), from
// alternating rounds (or the CUDA backend over the CPU one, seed F-PERF-003). Value: the
// ratio of the mean tokens/second.

import { BlockedError } from "../runtimes/runtime.ts";
import { summarize } from "../runtimes/timing.ts";
import type { Measure } from "./measure.ts";
import { alternatedDecode, DECODE_ROUNDS, DECODE_TOKENS } from "./timing.ts";

export const throughputRatio: Measure = {
  name: "throughput-ratio",
  input: "subject",
  needsAgainst: true,
  quantity: "decode throughput ratio",
  async observe(input) {
    const { subject, against } = input;
    const { samplesMs, results } = await alternatedDecode(input, [subject, against!]);
    const [threads, theirThreads] = [results[0][0].threads, results[1][0].threads];
    if (threads !== theirThreads && subject.backend !== "cuda" && against!.backend !== "cuda") {
      // Between CPU subjects a ratio of different thread counts is not the claim's; say how
      // to make them equal. A GPU against a CPU compares devices, threads and all.
      throw new BlockedError(`thread counts differ: ${subject.runtime} ${threads}, ${against!.runtime} ${theirThreads} (set REFUTE_THREADS, which both follow, e.g. REFUTE_THREADS=1)`);
    }
    const [mine, theirs] = samplesMs.map((s) => summarize({ samplesMs: s, tokens: DECODE_TOKENS }));
    const ratio = mine.meanTps / theirs.meanTps;
    const side = (label: string, s: typeof mine, threads: number) => `${label} ${s.meanTps.toFixed(1)} ± ${s.stdTps.toFixed(1)} t/s (${threads} thread${threads > 1 ? "s" : ""})`;
    return {
      value: ratio,
      summary: `tg${DECODE_TOKENS}: ${side(subject.runtime, mine, results[0][0].threads)} vs ${side(against!.runtime, theirs, results[1][0].threads)}: ratio ${ratio.toFixed(3)}`,
      evidence: {
        notes: [
          `${DECODE_ROUNDS} alternating rounds of tg${DECODE_TOKENS} after one warm-up each`,
          `${subject.runtime} (${results[0][0].backend}) ms: ${mine.samplesMs.map((x) => x.toFixed(2)).join(", ")}`,
          `${against!.runtime} (${results[1][0].backend}) ms: ${theirs.samplesMs.map((x) => x.toFixed(2)).join(", ")}`,
        ],
      },
    };
  },
};
