// roundtrip: token identity between a subject (e.g. native -> GGUF -> reimported) and the
// subject it came from (`against`, e.g. native), over a set of prompts. Value: the number of
// token positions that differ, summed over the prompts. A round trip whose output the contract
// gate refuses (NaN weights, a shape gone wrong) while its input loads is the round trip's
// own failure: every token of that prompt counts as differing, and the evidence says why.

import { defineMeasure, NO_PARAMS, type Divergence } from "./measure.ts";
import { compareTokens, describeDivergence } from "./tokens.ts";

// What the contract gate refuses a model for (engine/contract-gate.ts): a converter's damage.
const CONTRACT_BREAK = /^(LAYOUT_|TENSOR_|MODEL_MISSING_TENSOR|MODEL_UNEXPECTED_TENSOR|CONTRACT_)/;

/** The contract code of a load refusal (the subject cache wraps the runtime's error), else null. */
function contractBreak(e: unknown): { code: string; message: string } | null {
  const cause = (e as { cause?: unknown }).cause ?? e;
  const code = (cause as { code?: unknown }).code;
  return typeof code === "string" && CONTRACT_BREAK.test(code) ? { code, message: (cause as Error).message } : null;
}

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
    const notes: string[] = [];
    let refused = 0;
    let firstBreak: string | null = null;
    for (const prompt of prompts) {
      const before = await generate(against!, prompt);
      let after: Awaited<ReturnType<typeof generate>>;
      try {
        after = await generate(subject, prompt);
      } catch (e) {
        const broken = contractBreak(e);
        if (!broken) throw e;
        refused += before.tokens.length;
        const reason = `the ${subject.format} model does not load, though the ${against!.format} one does: ${broken.message} [${broken.code}]`;
        firstBreak ??= reason;
        notes.push(`${prompt.name}: ${reason}`);
        continue;
      }
      const d = compareTokens(prompt.name, before, after, against!.format);
      if (d) divergences.push(d);
      else identical.push(prompt.name);
    }
    const differing = divergences.reduce((n, d) => n + d.mismatches, 0);
    const total = differing + refused;
    const parts = [
      ...(firstBreak ? [`the ${subject.format} model breaks its contract (${firstBreak.slice(0, 160)})`] : []),
      ...(divergences.length ? [`${differing} tokens differ on ${divergences.length}/${prompts.length} prompts; ${divergences.map((d) => `${d.prompt}: ${describeDivergence(d)}`).join("; ")}`] : []),
    ];
    const summary = total === 0 ? `${subject.format} tokens identical to ${against!.format} on ${prompts.length} prompts` : parts.join("; ");
    return { value: total, summary, evidence: { divergences, identical, ...(notes.length ? { notes } : {}) } };
  },
});
