// runtime-agreement: the subject's greedy tokens against another runtime's (`against`, e.g.
// the engine) on the same model file, one prompt per check. Value: positions that differ;
// the evidence shows the first divergence with the reference runtime's top-k and margin there.

import type { Measure } from "./measure.ts";
import { compareTokens, describeDivergence } from "./tokens.ts";

export const runtimeAgreement: Measure = {
  name: "runtime-agreement",
  input: "prompt",
  needsAgainst: true,
  quantity: "mismatched tokens",
  async observe({ subject, against, prompts, generate }) {
    const [prompt] = prompts;
    const reference = await generate(against!, prompt);
    const observed = await generate(subject, prompt);
    const notes =
      reference.promptTokens.join(",") === observed.promptTokens.join(",")
        ? []
        : [`prompt tokens differ: ${against!.runtime} [${reference.promptTokens}], ${subject.runtime} [${observed.promptTokens}]`];
    const d = compareTokens(prompt.name, reference, observed, against!.runtime);
    if (!d) {
      return { value: 0, summary: `${subject.runtime} tokens identical to ${against!.runtime}'s (${reference.tokens.length} tokens)`, evidence: { identical: [prompt.name], notes } };
    }
    return {
      value: d.mismatches,
      summary: `${d.mismatches} of ${d.length} tokens differ from ${against!.runtime}, ${describeDivergence(d)}`,
      evidence: { divergences: [{ ...d, label: subject.runtime }], notes },
    };
  },
};
