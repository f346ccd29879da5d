// token-mismatch: how many of the generated token positions differ from the oracle's,
// with the first divergence, the oracle's top-k there and its margin.

import { defineMeasure, NO_PARAMS } from "./measure.ts";
import { compareTokens, describeDivergence } from "./tokens.ts";

export const tokenMismatch = defineMeasure({
  name: "token-mismatch",
  description: "greedy tokens for one prompt that differ from the oracle's, position by position",
  input: "prompt",
  needsAgainst: false,
  value: "number",
  oracle: () => "generations",
  needs: ["generate"],
  params: NO_PARAMS,
  quantity: () => "mismatched tokens",
  async observe({ subject, prompts, generate, oracleGeneration }) {
    const [prompt] = prompts;
    const oracle = await oracleGeneration(subject.model, prompt);
    const generation = await generate(subject, prompt);
    const divergence = compareTokens(prompt.name, oracle, generation);
    if (!divergence) {
      return { value: 0, summary: `0 of ${oracle.tokens.length} tokens differ from the oracle`, evidence: { identical: [prompt.name] } };
    }
    return {
      value: divergence.mismatches,
      summary: `${divergence.mismatches} of ${divergence.length} tokens differ from the oracle, ${describeDivergence(divergence)}`,
      evidence: { divergences: [divergence] },
    };
  },
});
