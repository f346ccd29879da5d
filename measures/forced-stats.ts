// kl-divergence, same-top1, rms-dp: llama-perplexity's KL-divergence statistics of the subject
// against the oracle under forced decoding, over all the claim's prompts (measures/forced.ts).
// Each observes one statistic; its uncertainty is in the summary and the evidence.
//
// kl-divergence takes the statistic of the per-step KL (its mean, as llama.cpp's "Mean KLD",
// or a percentile: 90, 99, 99.9, max) and the bins it sums over (the oracle's top-10 and the
// rest, which a server's top_logprobs allows, or the whole vocabulary from the oracle's
// distributions files).

import type { JSONSchemaType } from "ajv";
import { describeStep, type Estimate, type ForcedStep, forcedAgainstOracle, type KlBins, klPercentile, meanKl, rmsDp, sameTop1 } from "./forced.ts";
import { defineMeasure, type Measure, type MeasureInput, NO_PARAMS, type Observation, paramsSchema } from "./measure.ts";

const KL_STATISTICS = ["mean", "median", "p90", "p99", "p99.9", "max"] as const;
type KlStatistic = (typeof KL_STATISTICS)[number];

interface KlParams {
  statistic: KlStatistic;
  bins: KlBins;
}

const KL_PARAMS = paramsSchema<KlParams>({
  type: "object",
  additionalProperties: false,
  properties: {
    statistic: { type: "string", enum: [...KL_STATISTICS], default: "mean", description: "which statistic of the per-step KL: the mean (llama.cpp's Mean KLD), the median, a percentile, or the maximum" },
    bins: { type: "string", enum: ["top-10", "vocabulary"], default: "top-10", description: "top-10: the oracle's ten most likely tokens and the rest (a lower bound of KL); vocabulary: every token, from the oracle's distributions" },
  },
  required: ["statistic", "bins"],
} as JSONSchemaType<KlParams>);

const PERCENTILE: Record<Exclude<KlStatistic, "mean">, number> = { median: 50, p90: 90, p99: 99, "p99.9": 99.9, max: 100 };

function klEstimate(steps: ForcedStep[], statistic: KlStatistic): Estimate {
  return statistic === "mean" ? meanKl(steps) : klPercentile(steps, PERCENTILE[statistic]);
}

const klQuantity = (p: KlParams) => `${p.statistic === "mean" ? "mean" : p.statistic} KL divergence (${p.bins === "vocabulary" ? "over the vocabulary" : "over the oracle's top-10 and the rest"})`;

function observed(name: string, quantity: string, steps: ForcedStep[], e: Estimate, formatted: string, prompts: number): Observation {
  const misses = steps.filter((s) => s.subjectTop !== s.oracleToken);
  const worst = [...steps].sort((a, b) => b.kl - a.kl)[0];
  return {
    value: e.value,
    summary: `${quantity} ${formatted} over ${e.n} forced steps of ${prompts} prompts; top-1 differs at ${misses.length}`,
    evidence: {
      notes: [
        `${name} = ${e.value} ± ${e.uncertainty} (n = ${e.n})`,
        `largest step KL ${worst.kl.toExponential(3)} at ${describeStep(worst)}`,
        ...misses.slice(0, 10).map((s) => `top-1 differs: ${describeStep(s)}`),
      ],
    },
  };
}

const DESCRIBED = "of the subject against the oracle under forced decoding, over all the claim's prompts (llama-perplexity --kl-divergence)";

export const klDivergence = defineMeasure<KlParams>({
  name: "kl-divergence",
  description: `a statistic of the per-step KL divergence (mean, median, 90/99/99.9th percentile, max) ${DESCRIBED}`,
  input: "prompts",
  needsAgainst: false,
  value: "number",
  oracle: () => "generations",
  needs: ["score"],
  params: KL_PARAMS,
  quantity: klQuantity,
  async observe(input: MeasureInput, params: KlParams) {
    const steps = await forcedAgainstOracle(input, input.prompts, params.bins);
    const e = klEstimate(steps, params.statistic);
    return observed("kl-divergence", klQuantity(params), steps, e, `${e.value.toExponential(3)} ± ${e.uncertainty.toExponential(2)}`, input.prompts.length);
  },
});

function statistic(name: string, quantity: string, estimate: (steps: ForcedStep[]) => Estimate, format: (e: Estimate) => string): Measure {
  return defineMeasure({
    name,
    description: `${quantity} ${DESCRIBED}`,
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
      return observed(name, quantity, steps, e, format(e), input.prompts.length);
    },
  });
}

export const sameTop1Percent = statistic("same-top1", "same top-1 %", sameTop1, (e) => `${e.value.toFixed(2)} ± ${e.uncertainty.toFixed(2)}`);
export const rmsDpPercent = statistic("rms-dp", "RMS dp %", rmsDp, (e) => `${e.value.toFixed(4)} ± ${e.uncertainty.toFixed(4)}`);
