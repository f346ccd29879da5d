// roundtrip: token identity between a subject (e.g. native -> GGUF -> reimported) and the
// subject it came from (`against`, e.g. native), over a set of prompts. Value: the number of
// token positions that differ, summed over the prompts.

import { defineMeasure, NO_PARAMS, type Divergence } from "./measure.ts";
import { compareTokens, describeDivergence } from "./tokens.ts";

export const roundtrip = defineMeasure({
  name: "roundtrip",
  description: "greedy tokens after a format round trip that differ from those before it, over all prompts",
  input: "prompts",
  needsAgainst: true,
  value: "number",
  oracle: () => "none",
  needs: ["generate"],
  params: NO_PARAMS,
  quantity: () => "mismatched tokens",
  async observe({ subject, against, prompts, generate }) {
    const divergences: Divergence[] = [];
    const identical: string[] = [];
    for (const prompt of prompts) {
      const before = await generate(against!, prompt);
      const after = await generate(subject, prompt);
      const d = compareTokens(prompt.name, before, after, against!.format);
      if (d) divergences.push(d);
      else identical.push(prompt.name);
    }
    const total = divergences.reduce((n, d) => n + d.mismatches, 0);
    const summary =
      divergences.length === 0
        ? `${subject.format} tokens identical to ${against!.format} on ${prompts.length} prompts`
        : `${total} tokens differ on ${divergences.length}/${prompts.length} prompts; ` +
          divergences.map((d) => `${d.prompt}: ${describeDivergence(d)}`).join("; ");
    return { value: total, summary, evidence: { divergences, identical } };
  },
});
