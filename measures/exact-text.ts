// exact-text: the subject's greedy text for one prompt, to be compared with the oracle's
// text character for character. The token divergence rides along as evidence.

import { defineMeasure, NO_PARAMS } from "./measure.ts";
import { compareTokens, describeDivergence } from "./tokens.ts";

export const exactText = defineMeasure({
  name: "exact-text",
  description: "the subject's greedy text for one prompt, compared with the oracle's character for character",
  input: "prompt",
  needsAgainst: false,
  reference: "oracle",
  value: "text",
  oracle: () => "generations",
  needs: ["generate"],
  params: NO_PARAMS,
  quantity: () => "text",
  async observe({ subject, prompts, maxNewTokens, generate, oracleGeneration }) {
    const [prompt] = prompts;
    const oracle = await oracleGeneration(subject.model, prompt);
    const generation = await generate(subject, prompt);
    const divergence = compareTokens(prompt.name, oracle, generation);
    const same = generation.text === oracle.text;
    const summary = same
      ? `text equals the oracle's (${generation.tokens.length}/${maxNewTokens} tokens)`
      : `text differs from the oracle's` + (divergence ? `; tokens differ ${describeDivergence(divergence)}` : "; tokens identical, decoding differs");
    return {
      value: generation.text,
      reference: oracle.text,
      summary,
      evidence: divergence ? { divergences: [divergence] } : { identical: [prompt.name] },
    };
  },
});
