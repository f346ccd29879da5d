// forced-top1: feed the oracle's greedy tokens after the prompt and count the steps where
// the subject's most likely token is not the oracle's. Unlike a free generation, one
// disagreement does not derail the rest: each step is judged on the oracle's own context.

import { describeStep, forcedAgainstOracle } from "./forced.ts";
import { defineMeasure, NO_PARAMS } from "./measure.ts";

export const forcedTop1 = defineMeasure({
  name: "forced-top1",
  description: "forced-decoding steps (the oracle's tokens fed) where the subject's top-1 differs from the oracle's",
  input: "prompt",
  needsAgainst: false,
  value: "number",
  oracle: () => "generations",
  needs: ["score"],
  params: NO_PARAMS,
  quantity: () => "forced steps whose top-1 differs",
  async observe(input) {
    const steps = await forcedAgainstOracle(input, input.prompts);
    const misses = steps.filter((s) => s.subjectTop !== s.oracleToken);
    return {
      value: misses.length,
      summary:
        misses.length === 0
          ? `top-1 equals the oracle's token at all ${steps.length} forced steps`
          : `top-1 differs at ${misses.length} of ${steps.length} forced steps, first at ${describeStep(misses[0])}`,
      evidence: misses.length === 0 ? { identical: [input.prompts[0].name] } : { notes: misses.map(describeStep) },
    };
  },
});
