// ppl-deviation: how far the subject's perplexity on one of the oracle's held-out texts is from
// the oracle's, in per cent either way: 100 |ppl / ppl_oracle - 1|. A ceiling (ppl-ceiling)
// sees a fault only when it raises perplexity; on the shuffled text, where the zoo's models
// are overconfident, a fault that flattens their distributions (a residual scaled down, a
// larger norm epsilon) lowers it, and only a two-sided bound refutes that.

import { defineMeasure } from "./measure.ts";
import { perplexityRow } from "./perplexity-evidence.ts";
import { onText, PPL_TEXT_PARAMS, type PplTextParams } from "./ppl-text.ts";

export const pplDeviation = defineMeasure<PplTextParams>({
  name: "ppl-deviation",
  description: "|perplexity / the oracle's - 1| in per cent, on one of the oracle's held-out texts with its window and stride",
  input: "text",
  needsAgainst: false,
  value: "number",
  oracle: () => "perplexity",
  needs: ["perplexity"],
  params: PPL_TEXT_PARAMS,
  quantity: (p) => `perplexity's deviation from the oracle's${onText(p)} (%)`,
  async observe({ subject, perplexity, oraclePerplexity }, params: PplTextParams) {
    const oracle = await oraclePerplexity(subject.model, params.text ?? "heldout");
    const ppl = await perplexity(subject, oracle.text, oracle.window, oracle.stride);
    const deviation = 100 * Math.abs(ppl.perplexity / oracle.perplexity - 1);
    const notes = ppl.tokensScored === oracle.tokensScored ? [] : [`scored ${ppl.tokensScored} tokens where the oracle scored ${oracle.tokensScored}: tokenization differs`];
    return {
      value: deviation,
      summary: `perplexity ${ppl.perplexity.toFixed(4)}, the oracle's ${oracle.perplexity.toFixed(4)}: ${deviation.toFixed(4)} % ${ppl.perplexity >= oracle.perplexity ? "above" : "below"}`,
      evidence: { perplexity: [perplexityRow(ppl, oracle)], notes },
    };
  },
});
