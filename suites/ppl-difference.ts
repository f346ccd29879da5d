// ppl-difference: |PPL(subject) - PPL(against)| on the oracle's held-out text: how far two
// quantizations of one model are apart.

import type { Measure } from "./measure.ts";

export const pplDifference: Measure = {
  name: "ppl-difference",
  input: "text",
  needsAgainst: true,
  quantity: "|perplexity difference|",
  async observe({ subject, against, perplexity, oraclePerplexity }) {
    const oracle = await oraclePerplexity(subject.model);
    const mine = await perplexity(subject, oracle.text, oracle.window, oracle.stride);
    const theirs = await perplexity(against!, oracle.text, oracle.window, oracle.stride);
    const difference = Math.abs(mine.perplexity - theirs.perplexity);
    return {
      value: difference,
      summary: `${subject.quant} ${mine.perplexity.toFixed(3)} vs ${against!.quant} ${theirs.perplexity.toFixed(3)}: |difference| ${difference.toFixed(3)}`,
      evidence: {
        perplexity: (
          [
            [subject.quant, mine],
            [against!.quant, theirs],
          ] as const
        ).map(([label, p]) => ({
          label,
          subject: p.perplexity,
          reference: oracle.perplexity,
          tokensScored: p.tokensScored,
          referenceTokensScored: oracle.tokensScored,
          window: oracle.window,
          stride: oracle.stride,
        })),
      },
    };
  },
};
