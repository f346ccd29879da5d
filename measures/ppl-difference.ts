// ppl-difference: |PPL(subject) - PPL(against)| on the oracle's held-out text: how far two
// quantizations of one model are apart.

import { defineMeasure } from "./measure.ts";
import { onText, PPL_TEXT_PARAMS, type PplTextParams } from "./ppl-text.ts";
import { perplexityRow } from "./perplexity-evidence.ts";

export const pplDifference = defineMeasure<PplTextParams>({
  name: "ppl-difference",
  description: "the absolute perplexity difference between the subject and a second subject on the held-out text",
  input: "text",
  needsAgainst: true,
  value: "number",
  oracle: () => "perplexity",
  needs: ["perplexity"],
  params: PPL_TEXT_PARAMS,
  quantity: (p) => `|perplexity difference|${onText(p)}`,
  async observe({ subject, against, perplexity, oraclePerplexity }, params: PplTextParams) {
    const oracle = await oraclePerplexity(subject.model, params.text ?? "heldout");
    const mine = await perplexity(subject, oracle.text, oracle.window, oracle.stride);
    const theirs = await perplexity(against!, oracle.text, oracle.window, oracle.stride);
    const difference = Math.abs(mine.perplexity - theirs.perplexity);
    return {
      value: difference,
      summary: `${subject.quant} ${mine.perplexity.toFixed(3)} vs ${against!.quant} ${theirs.perplexity.toFixed(3)}: |difference| ${difference.toFixed(3)}`,
      evidence: {
        perplexity: [perplexityRow(mine, oracle, subject.quant), perplexityRow(theirs, oracle, against!.quant)],
      },
    };
  },
});
