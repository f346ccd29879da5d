// logprob-delta and logprob-agreement: the largest |log p difference| over every step of the
// claim's prompts, a measure that a small numeric fault cannot hide from. The zoo's
// distributions are so peaked that a logit error of 0.01 moves KL by about 1e-10 and no greedy
// token at all; it moves the log p of every token by about 0.01.
//
//   logprob-delta       the subject against the oracle's distributions (its .logprobs.f32),
//                       under forced decoding (the oracle's greedy tokens fed, so every step
//                       has the oracle's context) or free decoding (the subject's own greedy
//                       steps, compared while its tokens are the oracle's);
//   logprob-agreement   the subject against a second subject (`against`: another backend,
//                       format or runtime) under forced decoding on the oracle's tokens.
//
// Which tokens: the whole vocabulary (what the oracle's distributions file holds), or the
// oracle's k most likely of each step (what a server's top_logprobs can report).

import type { JSONSchemaType } from "ajv";
import type { SubjectSpec } from "../runtimes/runtime.ts";
import { compareStep, type DeltaSummary, describeDelta, type StepComparison, summarize } from "./logprobs.ts";
import { defineMeasure, type MeasureInput, type Observation, type OracleDistributions, type OracleGeneration, paramsSchema, type PromptRef } from "./measure.ts";

interface TokenChoice {
  tokens: "vocabulary" | "top-k";
  k: number;
}

interface DeltaParams extends TokenChoice {
  decoding: "forced" | "free";
}

const TOKEN_PROPERTIES = {
  tokens: { type: "string", enum: ["vocabulary", "top-k"], default: "vocabulary", description: "every token of the vocabulary (the oracle's distributions), or the oracle's k most likely of each step" },
  k: { type: "integer", minimum: 1, maximum: 10, default: 10, description: "with tokens: top-k, how many of the oracle's most likely tokens per step (its records keep 10)" },
} as const;

const DELTA_PARAMS = paramsSchema<DeltaParams>({
  type: "object",
  additionalProperties: false,
  properties: {
    ...TOKEN_PROPERTIES,
    decoding: { type: "string", enum: ["forced", "free"], default: "forced", description: "forced: the oracle's tokens fed; free: the subject's own greedy steps, while they are the oracle's" },
  },
  required: ["tokens", "k", "decoding"],
} as JSONSchemaType<DeltaParams>);

const AGREEMENT_PARAMS = paramsSchema<TokenChoice>({
  type: "object",
  additionalProperties: false,
  properties: TOKEN_PROPERTIES,
  required: ["tokens", "k"],
} as JSONSchemaType<TokenChoice>);

const which = (p: TokenChoice) => (p.tokens === "vocabulary" ? "the vocabulary" : `the oracle's top-${p.k}`);

/** The tokens compared at `step`, and the oracle's log p of each. */
function oracleTokens(step: number, oracle: OracleGeneration, dist: OracleDistributions | null, choice: TokenChoice): { tokens: number[]; reference: (number | null)[] } {
  if (dist) {
    const tokens = dist.tokens(step);
    return { tokens, reference: tokens.map((t) => dist.logprob(step, t)) };
  }
  const top = (oracle.topk[step] ?? []).slice(0, choice.k);
  return { tokens: top.map((e) => e.token), reference: top.map((e) => e.logprob) };
}

async function distributionsFor(input: Pick<MeasureInput, "oracleDistributions" | "subject">, prompt: PromptRef, choice: TokenChoice): Promise<OracleDistributions | null> {
  return choice.tokens === "vocabulary" ? input.oracleDistributions(input.subject.model, prompt) : null;
}

async function forcedSteps(input: MeasureInput, prompt: PromptRef, params: TokenChoice): Promise<StepComparison[]> {
  const oracle = await input.oracleGeneration(input.subject.model, prompt);
  const dist = await distributionsFor(input, prompt, params);
  const chosen = oracle.tokens.map((_, step) => oracleTokens(step, oracle, dist, params));
  const scored = await input.score(input.subject, prompt, oracle.tokens, { topK: 10, candidates: chosen.map((c) => c.tokens) });
  return scored.steps.map((s, step) => compareStep(prompt.name, step, chosen[step].tokens, chosen[step].reference, s.candidates ?? [], s.topk));
}

/** The subject's own greedy steps, compared up to and including the first whose token is not the oracle's. */
async function freeSteps(input: MeasureInput, prompt: PromptRef, params: TokenChoice): Promise<StepComparison[]> {
  const oracle = await input.oracleGeneration(input.subject.model, prompt);
  const dist = await distributionsFor(input, prompt, params);
  const g = await input.generate(input.subject, prompt);
  if (g.topk.length === 0) throw new Error(`the subject reports no log-probabilities with its generations of ${prompt.name}`);
  const steps: StepComparison[] = [];
  for (let step = 0; step < Math.min(g.tokens.length, oracle.tokens.length, g.topk.length); step++) {
    const { tokens, reference } = oracleTokens(step, oracle, dist, params);
    const mine = new Map(g.topk[step].map((e) => [e.token, e.logprob]));
    steps.push(compareStep(prompt.name, step, tokens, reference, tokens.map((t) => mine.get(t) ?? null), g.topk[step]));
    if (g.tokens[step] !== oracle.tokens[step]) break; // later steps have another context than the oracle's
  }
  return steps;
}

function observation(summary: DeltaSummary, reference: string, what: string, prompts: PromptRef[]): Observation {
  if (!summary.max) throw new Error(`no log p could be compared over ${summary.steps} steps (${summary.unknown} tokens the subject could not say)`);
  const bounded = summary.bounded ? `, ${summary.bounded} of them bounded from the subject's top-k` : "";
  const unknown = summary.unknown ? `; ${summary.unknown} tokens outside the subject's top-k could not be bounded` : "";
  return {
    value: summary.max.delta,
    summary: `max |delta log p| ${summary.max.delta.toExponential(3)} against ${reference} over ${summary.compared} log p of ${what} (${summary.steps} steps of ${prompts.length} prompts${bounded})${unknown}; largest at ${summary.max.prompt} step ${summary.max.step} token ${summary.max.token}`,
    evidence: { notes: summary.worst.map((d) => describeDelta(d, reference)) },
  };
}

export const logprobDelta = defineMeasure<DeltaParams>({
  name: "logprob-delta",
  description: "the largest |log p(subject) - log p(oracle)| over every step of the claim's prompts, on the whole vocabulary or the oracle's top-k, under forced or free decoding",
  input: "prompts",
  needsAgainst: false,
  value: "number",
  oracle: () => "generations",
  needs: ["score"],
  params: DELTA_PARAMS,
  quantity: (p) => `max |delta log p| of ${which(p)} (${p.decoding})`,
  async observe(input, params) {
    const steps: StepComparison[] = [];
    for (const prompt of input.prompts) steps.push(...(params.decoding === "forced" ? await forcedSteps(input, prompt, params) : await freeSteps(input, prompt, params)));
    return observation(summarize(steps), "oracle", which(params), input.prompts);
  },
});

/** The second subject's log p of the same tokens, as the reference. */
async function agreementSteps(input: MeasureInput, against: SubjectSpec, prompt: PromptRef, params: TokenChoice): Promise<StepComparison[]> {
  const oracle = await input.oracleGeneration(input.subject.model, prompt);
  const dist = await distributionsFor(input, prompt, params);
  const chosen = oracle.tokens.map((_, step) => oracleTokens(step, oracle, dist, params).tokens);
  const options = { topK: 10, candidates: chosen };
  const [mine, theirs] = [await input.score(input.subject, prompt, oracle.tokens, options), await input.score(against, prompt, oracle.tokens, options)];
  return mine.steps.map((s, step) => compareStep(prompt.name, step, chosen[step], theirs.steps[step]?.candidates ?? [], s.candidates ?? [], s.topk));
}

export const logprobAgreement = defineMeasure<TokenChoice>({
  name: "logprob-agreement",
  description: "the largest |log p(subject) - log p(against)| under forced decoding on the oracle's tokens, on the whole vocabulary or the oracle's top-k",
  input: "prompts",
  needsAgainst: true,
  value: "number",
  oracle: () => "generations",
  needs: ["score"],
  params: AGREEMENT_PARAMS,
  quantity: (p) => `max |delta log p| against the second subject, of ${which(p)}`,
  async observe(input, params) {
    const against = input.against!;
    const steps: StepComparison[] = [];
    for (const prompt of input.prompts) steps.push(...(await agreementSteps(input, against, prompt, params)));
    return observation(summarize(steps), `${against.backend} ${against.format} ${against.runtime}`, which(params), input.prompts);
  },
});
