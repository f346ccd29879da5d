// ppl-ceiling: the subject's perplexity on the oracle's held-out text, with the same
// window and stride, next to the oracle's perplexity (the reference for a ceiling factor).

import { defineMeasure } from "./measure.ts";
import { onText, PPL_TEXT_PARAMS, type PplTextParams } from "./ppl-text.ts";
import { perplexityRow } from "./perplexity-evidence.ts";

export const pplCeiling = defineMeasure<PplTextParams>({
  name: "ppl-ceiling",
  description: "perplexity on the oracle's held-out text with its window and stride, the oracle's as reference",
  input: "text",
  needsAgainst: false,
  reference: "oracle",
  value: "number",
  oracle: () => "perplexity",
  needs: ["perplexity"],
  params: PPL_TEXT_PARAMS,
  quantity: (p) => `perplexity${onText(p)}`,
  async observe({ subject, perplexity, oraclePerplexity }, params: PplTextParams) {
    const oracle = await oraclePerplexity(subject.model, params.text ?? "heldout");
    const ppl = await perplexity(subject, oracle.text, oracle.window, oracle.stride);
    const notes =
      ppl.tokensScored === oracle.tokensScored
        ? []
        : [`scored ${ppl.tokensScored} tokens where the oracle scored ${oracle.tokensScored}: tokenization differs`];
    return {
      value: ppl.perplexity,
      reference: oracle.perplexity,
      summary: `perplexity ${ppl.perplexity.toFixed(3)} (oracle ${oracle.perplexity.toFixed(3)}) over ${ppl.tokensScored} tokens`,
      evidence: {
        perplexity: [perplexityRow(ppl, oracle)],
        notes,
      },
    };
  },
});
