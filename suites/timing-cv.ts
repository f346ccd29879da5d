// timing-cv: how repeatable a subject's decode timing is: the coefficient of variation
// (standard deviation / mean, in percent) of its tg times over the rounds that the
// throughput claims also use.

import { summarize } from "../runtimes/timing.ts";
import type { Measure } from "./measure.ts";
import { alternatedDecode, DECODE_TOKENS, ms } from "./timing.ts";

export const timingCv: Measure = {
  name: "timing-cv",
  input: "subject",
  needsAgainst: false,
  quantity: "coefficient of variation %",
  async observe(input) {
    const { samplesMs } = await alternatedDecode(input, [input.subject]);
    const s = summarize({ samplesMs: samplesMs[0], tokens: DECODE_TOKENS });
    return {
      value: 100 * s.cv,
      summary: `tg${DECODE_TOKENS} over ${s.samplesMs.length} rounds: ${ms(s.meanMs)} ± ${ms(s.stdMs)}, CV ${(100 * s.cv).toFixed(1)}%`,
      evidence: { notes: [`samples ms: ${s.samplesMs.map((x) => x.toFixed(2)).join(", ")}`] },
    };
  },
};
