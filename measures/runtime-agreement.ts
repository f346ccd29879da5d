// runtime-agreement: the subject's greedy tokens against another runtime's or backend's
// (`against`: the engine for llama.cpp, the reference cpu-ts backend for cpu-wasm or cuda)
// on the same model, one prompt per check. Value: positions that differ; the evidence shows
// the first divergence with the reference's top-k and margin there.

import { defineMeasure, NO_PARAMS } from "./measure.ts";
import { compareTokens, describeDivergence } from "./tokens.ts";

export const runtimeAgreement = defineMeasure({
  name: "runtime-agreement",
  description: "greedy tokens of the subject that differ from a second subject's (another runtime) for one prompt",
  input: "prompt",
  needsAgainst: true,
  value: "number",
  oracle: () => "none",
  needs: ["generate"],
  params: NO_PARAMS,
  quantity: () => "mismatched tokens",
  async observe({ subject, against, prompts, generate }) {
    const [prompt] = prompts;
    // Name each side by what differs between them: the runtime, else the backend.
    const name = (s: typeof subject) => (subject.runtime !== against!.runtime ? s.runtime : s.backend);
    const reference = await generate(against!, prompt);
    const observed = await generate(subject, prompt);
    const notes =
      reference.promptTokens.join(",") === observed.promptTokens.join(",")
        ? []
        : [`prompt tokens differ: ${name(against!)} [${reference.promptTokens}], ${name(subject)} [${observed.promptTokens}]`];
    const d = compareTokens(prompt.name, reference, observed, name(against!));
    if (!d) {
      return { value: 0, summary: `${name(subject)} tokens identical to ${name(against!)}'s (${reference.tokens.length} tokens)`, evidence: { identical: [prompt.name], notes } };
    }
    return {
      value: d.mismatches,
      summary: `${d.mismatches} of ${d.length} tokens differ from ${name(against!)}, ${describeDivergence(d)}`,
      evidence: { divergences: [{ ...d, label: name(subject) }], notes },
    };
  },
});
