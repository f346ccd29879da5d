// tokenize-agreement: the subject runtime's own tokenization of a prompt against another
// runtime's (`against`). Value: token positions that differ (a missing token counts).

import { defineMeasure, NO_PARAMS } from "./measure.ts";
import { countMismatches, firstDivergence } from "./tokens.ts";

export const tokenizeAgreement = defineMeasure({
  name: "tokenize-agreement",
  description: "prompt tokens of the subject's own tokenizer that differ from a second subject's",
  input: "prompt",
  needsAgainst: true,
  value: "number",
  oracle: () => "none",
  needs: ["tokenize"],
  params: NO_PARAMS,
  quantity: () => "mismatched prompt tokens",
  async observe({ subject, against, prompts, tokenize }) {
    const [prompt] = prompts;
    const reference = await tokenize(against!, prompt.text);
    const observed = await tokenize(subject, prompt.text);
    const mismatches = countMismatches(reference, observed);
    const at = firstDivergence(reference, observed);
    return {
      value: mismatches,
      summary:
        mismatches === 0
          ? `${subject.runtime} tokenizes '${prompt.name}' as ${against!.runtime} does (${reference.length} tokens)`
          : `${mismatches} of ${Math.max(reference.length, observed.length)} prompt tokens differ, first at ${at} (${against!.runtime} ${reference[at] ?? "end"}, ${subject.runtime} ${observed[at] ?? "end"})`,
      evidence: mismatches === 0 ? { identical: [prompt.name] } : { notes: [`${against!.runtime}: [${reference}]`, `${subject.runtime}: [${observed}]`] },
    };
  },
});
