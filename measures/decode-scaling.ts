// decode-scaling: time to decode `long` tokens (default 100) over time to decode `short` (10), from an empty context.
// With a KV cache each new token costs a forward pass of one position (plus attention over
// the cache, linear in its length), so the ratio stays near 10; recomputing the whole prefix
// every step (no cache, O(n^2) per token) drives it towards 50-100.

import { mean } from "../runtimes/timing.ts";
import { defineMeasure, paramsSchema } from "./measure.ts";
import { ms } from "./timing.ts";

interface DecodeScalingParams {
  short: number;
  long: number;
  reps: number;
}

const PARAMS = paramsSchema<DecodeScalingParams>({
  type: "object",
  additionalProperties: false,
  properties: {
    short: { type: "integer", minimum: 1, maximum: 4096, default: 10, description: "tokens of the short decode" },
    long: { type: "integer", minimum: 2, maximum: 4096, default: 100, description: "tokens of the long decode" },
    reps: { type: "integer", minimum: 1, maximum: 100, default: 3, description: "repetitions of each, averaged" },
  },
  required: ["short", "long", "reps"],
});

export const decodeScaling = defineMeasure<DecodeScalingParams>({
  name: "decode-scaling",
  description: "time to decode `long` tokens over time to decode `short`, from an empty context (near long/short with a KV cache)",
  input: "subject",
  needsAgainst: false,
  value: "number",
  oracle: () => "none",
  needs: ["benchmark"],
  params: PARAMS,
  quantity: ({ short, long }) => `time ratio tg${long}/tg${short}`,
  async observe({ subject, benchmark }, { short: shortTokens, long: longTokens, reps }) {
    // One warm-up before the short runs warms the long ones too (the same model and code).
    const short = await benchmark(subject, { kind: "tg", tokens: shortTokens, reps, warmup: 1 });
    const long = await benchmark(subject, { kind: "tg", tokens: longTokens, reps, warmup: 0 });
    const [a, b] = [mean(short.samplesMs), mean(long.samplesMs)];
    return {
      value: b / a,
      summary: `tg${longTokens} ${ms(b)} / tg${shortTokens} ${ms(a)} = ${(b / a).toFixed(2)} (mean of ${reps}; linear would be about ${longTokens / shortTokens})`,
      evidence: {
        notes: [`tg${shortTokens} ms: ${short.samplesMs.map((x) => x.toFixed(2)).join(", ")}`, `tg${longTokens} ms: ${long.samplesMs.map((x) => x.toFixed(2)).join(", ")}`],
      },
    };
  },
});
