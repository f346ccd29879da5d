// kl-divergence, same-top1, rms-dp: llama-perplexity's KL-divergence statistics of the subject
// against the oracle under forced decoding, over all the claim's prompts (measures/forced.ts).
// Each observes one statistic; its uncertainty is in the summary and the evidence.

import { describeStep, forcedAgainstOracle, meanKl, rmsDp, sameTop1, type Estimate, type ForcedStep } from "./forced.ts";
import { defineMeasure, NO_PARAMS, type Measure } from "./measure.ts";

function statistic(name: string, quantity: string, estimate: (steps: ForcedStep[]) => Estimate, format: (e: Estimate) => string): Measure {
  return defineMeasure({
    name,
    description: `${quantity} of the subject against the oracle under forced decoding, over all the claim's prompts (llama-perplexity --kl-divergence)`,
    input: "prompts",
    needsAgainst: false,
    value: "number",
    oracle: () => "generations",
    needs: ["score"],
    params: NO_PARAMS,
    quantity: () => quantity,
    async observe(input) {
      const steps = await forcedAgainstOracle(input, input.prompts);
      const e = estimate(steps);
      const misses = steps.filter((s) => s.subjectTop !== s.oracleToken);
      const worst = [...steps].sort((a, b) => b.kl - a.kl)[0];
      return {
        value: e.value,
        summary: `${quantity} ${format(e)} over ${e.n} forced steps of ${input.prompts.length} prompts; top-1 differs at ${misses.length}`,
        evidence: {
          notes: [
            `${name} = ${e.value} ± ${e.uncertainty} (n = ${e.n})`,
            `largest step KL ${worst.kl.toExponential(3)} at ${describeStep(worst)}`,
            ...misses.slice(0, 10).map((s) => `top-1 differs: ${describeStep(s)}`),
          ],
        },
      };
    },
  });
}

export const klDivergence = statistic("kl-divergence", "mean KL divergence", meanKl, (e) => `${e.value.toExponential(3)} ± ${e.uncertainty.toExponential(2)}`);
export const sameTop1Percent = statistic("same-top1", "same top-1 %", sameTop1, (e) => `${e.value.toFixed(2)} ± ${e.uncertainty.toFixed(2)}`);
export const rmsDpPercent = statistic("rms-dp", "RMS dp %", rmsDp, (e) => `${e.value.toFixed(4)} ± ${e.uncertainty.toFixed(4)}`);
