// Forced decoding against the oracle, and llama.cpp's perplexity-tool statistics over it.
//
// The subject is fed the oracle's own greedy tokens after the prompt (teacher forcing), so
// every step i is conditioned exactly as the oracle's step i was, and no early difference
// cascades. At each step we compare the subject's distribution with the oracle's recorded
// top-10, as `llama-perplexity --kl-divergence` compares a model with its base:
//
//   KL     sum over the oracle's top-10 tokens and one "rest" bin of p log(p / q), p the oracle,
//          q the subject (the full KL needs the full oracle distribution, which the oracle file
//          does not keep; merging bins never raises KL, so this is a lower bound of it);
//   top-1  whether the subject's most likely token is the oracle's token;
//   dp     p_subject(oracle token) - p_oracle(oracle token).
//
// Uncertainties as llama.cpp reports them: the standard error of the mean KL, sqrt(p (1 - p) /
// (n - 1)) for the top-1 rate, and the propagated standard error of RMS dp.
// Pure functions here; the measures (kl-divergence, same-top1, rms-dp, forced-top1) are thin.

import type { ScoredStep, TopKEntry } from "../runtimes/runtime.ts";
import type { MeasureInput, OracleGeneration, PromptRef } from "./measure.ts";

export interface ForcedStep {
  prompt: string;
  step: number;
  oracleToken: number;
  subjectTop: number; // the subject's most likely token here
  kl: number;
  dp: number;
  oracleMargin: number | null; // log p(top-1) - log p(top-2) of the oracle
  subjectTopK: TopKEntry[];
  oracleTopK: TopKEntry[];
}

/** log(1 - sum exp(logprobs)), the log-mass outside the listed tokens (-Infinity when none is left). */
function logRest(logprobs: number[]): number {
  const max = Math.max(...logprobs);
  const lse = max + Math.log(logprobs.reduce((a, l) => a + Math.exp(l - max), 0));
  return lse >= 0 ? -Infinity : Math.log(-Math.expm1(lse));
}

/** KL(oracle || subject) over the oracle's top-k bins and the rest; subject log p per bin given. */
export function binnedKl(oracle: TopKEntry[], subjectLogprobs: number[]): number {
  let kl = 0;
  oracle.forEach((e, i) => (kl += Math.exp(e.logprob) * (e.logprob - subjectLogprobs[i])));
  const pRest = logRest(oracle.map((e) => e.logprob));
  if (pRest > -Infinity) kl += Math.exp(pRest) * (pRest - Math.max(logRest(subjectLogprobs), -700));
  return Math.max(0, kl);
}

export function forcedSteps(prompt: string, oracle: OracleGeneration, scored: ScoredStep[]): ForcedStep[] {
  return scored.map((s, i) => {
    const oracleTopK = oracle.topk[i] ?? [];
    const candidates = s.candidates ?? [];
    if (oracleTopK.length === 0 || candidates.length !== oracleTopK.length || candidates.some((c) => c === null)) {
      throw new Error(`step ${i} of ${prompt}: the subject reported no log p for the oracle's top-${oracleTopK.length}`);
    }
    const oracleP = Math.exp(oracleTopK.find((e) => e.token === s.token)?.logprob ?? -Infinity);
    return {
      prompt,
      step: i,
      oracleToken: s.token,
      subjectTop: s.topk[0]?.token ?? -1,
      kl: binnedKl(oracleTopK, candidates as number[]),
      dp: Math.exp(s.logprob) - oracleP,
      oracleMargin: oracleTopK.length >= 2 ? oracleTopK[0].logprob - oracleTopK[1].logprob : null,
      subjectTopK: s.topk.slice(0, 3),
      oracleTopK: oracleTopK.slice(0, 3),
    };
  });
}

/** Feeds the oracle's tokens to the subject for each prompt and compares step by step. */
export async function forcedAgainstOracle(input: Pick<MeasureInput, "subject" | "score" | "oracleGeneration">, prompts: PromptRef[]): Promise<ForcedStep[]> {
  const steps: ForcedStep[] = [];
  for (const prompt of prompts) {
    const oracle = await input.oracleGeneration(input.subject.model, prompt);
    const candidates = oracle.tokens.map((_, i) => (oracle.topk[i] ?? []).map((e) => e.token));
    const scored = await input.score(input.subject, prompt, oracle.tokens, { topK: 10, candidates });
    steps.push(...forcedSteps(prompt.name, oracle, scored.steps));
  }
  return steps;
}

export interface Estimate {
  value: number;
  uncertainty: number;
  n: number;
}

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function meanKl(steps: ForcedStep[]): Estimate {
  const n = steps.length;
  const m = meanOf(steps.map((s) => s.kl));
  const m2 = meanOf(steps.map((s) => s.kl * s.kl));
  return { value: m, uncertainty: n > 1 ? Math.sqrt(Math.max(0, m2 - m * m) / (n - 1)) : 0, n };
}

/** Percent of steps whose top-1 is the oracle's token. */
export function sameTop1(steps: ForcedStep[]): Estimate {
  const n = steps.length;
  const p = steps.filter((s) => s.subjectTop === s.oracleToken).length / n;
  return { value: 100 * p, uncertainty: n > 1 ? 100 * Math.sqrt((p * (1 - p)) / (n - 1)) : 0, n };
}

/** RMS of dp, in percent. */
export function rmsDp(steps: ForcedStep[]): Estimate {
  const n = steps.length;
  const ms = meanOf(steps.map((s) => s.dp ** 2));
  const ms2 = meanOf(steps.map((s) => s.dp ** 4));
  const rms = Math.sqrt(ms);
  const msError = n > 1 ? Math.sqrt(Math.max(0, ms2 - ms * ms) / (n - 1)) : 0;
  return { value: 100 * rms, uncertainty: rms > 0 ? (100 * msError) / (2 * rms) : 0, n };
}

export function describeStep(s: ForcedStep): string {
  const top = (l: TopKEntry[]) => l.map((e) => `${e.token}:${e.logprob.toFixed(4)}`).join(" ");
  const margin = s.oracleMargin === null ? "" : `, oracle margin ${s.oracleMargin.toFixed(4)}`;
  return `${s.prompt} step ${s.step}: oracle ${s.oracleToken}, subject ${s.subjectTop}${margin}; oracle top [${top(s.oracleTopK)}], subject top [${top(s.subjectTopK)}]`;
}
