// drift: the subject's mismatches against the oracle next to those of a coarser subject
// (`against`, e.g. int4): a finer quantization should not drift further than a coarser one.

import { defineMeasure, NO_PARAMS } from "./measure.ts";
import { compareTokens, describeDivergence } from "./tokens.ts";

export const drift = defineMeasure({
  name: "drift",
  description: "the subject's greedy mismatches against the oracle, next to a second subject's (the reference)",
  input: "prompt",
  needsAgainst: true,
  reference: "against",
  value: "number",
  oracle: () => "generations",
  needs: ["generate"],
  params: NO_PARAMS,
  quantity: () => "mismatched tokens",
  async observe({ subject, against, prompts, generate, oracleGeneration }) {
    const [prompt] = prompts;
    const oracle = await oracleGeneration(subject.model, prompt);
    const mine = compareTokens(prompt.name, oracle, await generate(subject, prompt));
    const theirs = compareTokens(prompt.name, oracle, await generate(against!, prompt));
    const count = (d: typeof mine) => d?.mismatches ?? 0;
    const where = (d: typeof mine) => (d ? `, ${describeDivergence(d)}` : "");
    return {
      value: count(mine),
      reference: count(theirs),
      summary:
        `${subject.quant}: ${count(mine)} tokens differ from the oracle${where(mine)}; ` +
        `${against!.quant}: ${count(theirs)}${where(theirs)}`,
      evidence: {
        divergences: [
          ...(mine ? [{ ...mine, label: subject.quant }] : []),
          ...(theirs ? [{ ...theirs, label: against!.quant }] : []),
        ],
      },
    };
  },
});
