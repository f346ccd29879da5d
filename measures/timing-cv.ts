// timing-cv: how repeatable a subject's decode timing is: the coefficient of variation
// (standard deviation / mean, in percent) of its tg times over the rounds that the
// throughput claims also use.

import { summarize } from "../runtimes/timing.ts";
import { defineMeasure } from "./measure.ts";
import { alternatedDecode, DECODE_ROUNDS_SCHEMA, type DecodeRounds, ms } from "./timing.ts";

export const timingCv = defineMeasure<DecodeRounds>({
  name: "timing-cv",
  description: "coefficient of variation (%) of the subject's tg times over alternating rounds",
  input: "subject",
  needsAgainst: false,
  value: "number",
  oracle: () => "none",
  needs: ["benchmark"],
  params: DECODE_ROUNDS_SCHEMA,
  quantity: () => "coefficient of variation %",
  async observe(input, params) {
    const { samplesMs } = await alternatedDecode(input, [input.subject], params);
    const s = summarize({ samplesMs: samplesMs[0], tokens: params.tokens });
    return {
      value: 100 * s.cv,
      summary: `tg${params.tokens} over ${s.samplesMs.length} rounds: ${ms(s.meanMs)} ± ${ms(s.stdMs)}, CV ${(100 * s.cv).toFixed(1)}%`,
      evidence: { notes: [`samples ms: ${s.samplesMs.map((x) => x.toFixed(2)).join(", ")}`] },
    };
  },
});
