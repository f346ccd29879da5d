// decode-scaling: time to decode 100 tokens over time to decode 10, from an empty context.
// With a KV cache each new token costs a forward pass of one position (plus attention over
// the cache, linear in its length), so the ratio stays near 10; recomputing the whole prefix
// every step (no cache, O(n^2) per token) drives it towards 50-100.

import { mean } from "../runtimes/timing.ts";
import type { Measure } from "./measure.ts";
import { ms } from "./timing.ts";

const SHORT = 10;
const LONG = 100;
const REPS = 3;

export const decodeScaling: Measure = {
  name: "decode-scaling",
  input: "subject",
  needsAgainst: false,
  quantity: `time ratio tg${LONG}/tg${SHORT}`,
  async observe({ subject, benchmark }) {
    // One warm-up before the short runs warms the long ones too (the same model and code).
    const short = await benchmark(subject, { kind: "tg", tokens: SHORT, reps: REPS, warmup: 1 });
    const long = await benchmark(subject, { kind: "tg", tokens: LONG, reps: REPS, warmup: 0 });
    const [a, b] = [mean(short.samplesMs), mean(long.samplesMs)];
    return {
      value: b / a,
      summary: `tg${LONG} ${ms(b)} / tg${SHORT} ${ms(a)} = ${(b / a).toFixed(2)} (mean of ${REPS}; linear would be about ${LONG / SHORT})`,
      evidence: {
        notes: [`tg${SHORT} ms: ${short.samplesMs.map((x) => x.toFixed(2)).join(", ")}`, `tg${LONG} ms: ${long.samplesMs.map((x) => x.toFixed(2)).join(", ")}`],
      },
    };
  },
};
