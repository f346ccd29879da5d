// strict-next-token: the engine runbook's strict verification (its HF_TOPK and HF_LOGITS_TOL)
// under forced decoding: the oracle's greedy tokens are fed after the prompt and, at every
// step, the subject must (1) give the oracle's token as its most likely, (2) hold at least
// `min_overlap` of the oracle's `top_k` tokens in its own top_k, and (3) give each of the
// oracle's top_k tokens a log-probability within `logprob_tol` of the oracle's. The
// observation is the number of steps that break any of the three.
//
// A token of the oracle's top_k that the subject ranks just outside its own is excused when the
// oracle itself cannot tell it from the next one: its log p within `logprob_tol` of the
// oracle's (top_k + 1)-th (a tie at the boundary is rounding, not disagreement).

import { defineMeasure, paramsSchema } from "./measure.ts";

interface Params {
  top_k: number;
  logprob_tol: number;
  min_overlap?: number;
}

const PARAMS = paramsSchema<Params>({
  type: "object",
  additionalProperties: false,
  properties: {
    top_k: { type: "integer", minimum: 1, maximum: 9, description: "how many of the oracle's most likely tokens each step compares (the runbook's HF_TOPK); at most 9, so the oracle's top-10 holds the next one" },
    logprob_tol: { type: "number", exclusiveMinimum: 0, description: "the largest |log p_subject - log p_oracle| allowed for each of them, in nats (the runbook's HF_LOGITS_TOL)" },
    min_overlap: { type: "integer", minimum: 0, nullable: true, description: "how many of the oracle's top_k must be in the subject's top_k (default top_k)" },
  },
  required: ["top_k", "logprob_tol"],
});

export const strictNextToken = defineMeasure<Params>({
  name: "strict-next-token",
  description: "forced-decoding steps where the subject's next token is not the oracle's, its top-k overlaps the oracle's in fewer than min_overlap tokens, or a top-k log-probability departs by more than logprob_tol",
  input: "prompt",
  needsAgainst: false,
  value: "number",
  oracle: () => "generations",
  needs: ["score"],
  params: PARAMS,
  quantity: () => "forced steps failing strict verification",
  async observe(input, { top_k: k, logprob_tol: tol, min_overlap }) {
    const minOverlap = Math.min(min_overlap ?? k, k);
    const failures: string[] = [];
    let steps = 0;
    let worst = 0;
    for (const prompt of input.prompts) {
      const oracle = await input.oracleGeneration(input.subject.model, prompt);
      const candidates = oracle.tokens.map((_, i) => (oracle.topk[i] ?? []).slice(0, k).map((e) => e.token));
      const scored = await input.score(input.subject, prompt, oracle.tokens, { topK: k, candidates });
      scored.steps.forEach((s, i) => {
        steps += 1;
        const reference = oracle.topk[i] ?? [];
        const top = reference.slice(0, k);
        const next = reference[k]?.logprob ?? -Infinity;
        const mine = new Set(s.topk.slice(0, k).map((e) => e.token));
        const problems: string[] = [];
        if ((s.topk[0]?.token ?? -1) !== oracle.tokens[i]) problems.push(`next token ${s.topk[0]?.token} where the oracle's is ${oracle.tokens[i]}`);
        const overlap = top.filter((e) => mine.has(e.token) || e.logprob - next <= tol).length;
        if (overlap < minOverlap) problems.push(`top-${k} overlap ${overlap} < ${minOverlap}`);
        top.forEach((e, j) => {
          const q = s.candidates?.[j];
          const delta = q === null || q === undefined ? Infinity : Math.abs(q - e.logprob);
          worst = Math.max(worst, delta);
          if (delta > tol) problems.push(`token ${e.token}: |delta log p| ${delta === Infinity ? "unknown" : delta.toExponential(2)} > ${tol}`);
        });
        if (problems.length > 0) failures.push(`${prompt.name} step ${i}: ${problems.join("; ")}`);
      });
    }
    return {
      value: failures.length,
      summary: `${failures.length} of ${steps} forced steps fail strict verification (top-${k}, overlap >= ${minOverlap}, |delta log p| <= ${tol}); largest |delta log p| ${worst === Infinity ? "unknown" : worst.toExponential(2)}`,
      evidence: failures.length === 0 ? { identical: input.prompts.map((p) => p.name) } : { notes: failures.slice(0, 20) },
    };
  },
});
