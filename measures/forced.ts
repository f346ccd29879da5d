// Forced decoding against the oracle, and llama.cpp's perplexity-tool statistics over it.
//
// The subject is fed the oracle's own greedy tokens after the prompt (teacher forcing), so
// every step i is conditioned exactly as the oracle's step i was, and no early difference
// cascades. At each step we compare the subject's distribution with the oracle's recorded
// top-10, as `llama-perplexity --kl-divergence` compares a model with its base:
//
//   KL     sum of p log(p / q), p the oracle, q the subject, over bins: the oracle's top-10
//          tokens and one "rest" bin (what a server's top_logprobs allows; merging bins never
//          raises KL, so this is a lower bound of the full KL), or every token of the vocabulary
//          from the oracle's whole distributions (.logprobs.f32; for a large vocabulary its
//          top-100 and the rest), the KL itself; with a rest bin, a token the subject cannot
//          say (outside a server's top-k) joins the rest, so the bound stays a bound;
//   top-1  whether the subject's most likely token is the oracle's token;
//   dp     p_subject(oracle token) - p_oracle(oracle token).
//
// Uncertainties as llama.cpp reports them: the standard error of the mean KL, sqrt(p (1 - p) /
// (n - 1)) for the top-1 rate, and the propagated standard error of RMS dp.
// Pure functions here; the measures (kl-divergence, same-top1, rms-dp, forced-top1) are thin.

import { BlockedError, type ScoredStep, type TopKEntry } from "../runtimes/runtime.ts";
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

/**
 * KL(oracle || subject) over the oracle's listed tokens and, with `rest`, one bin of the mass
 * outside them; subject log p per bin given. Without `rest` the tokens are the whole
 * vocabulary: what float32 rounding leaves of the rest is noise, not mass, and is not binned.
 */
export function binnedKl(oracle: TopKEntry[], subjectLogprobs: number[], rest = true): number {
  let kl = 0;
  oracle.forEach((e, i) => (kl += Math.exp(e.logprob) * (e.logprob - subjectLogprobs[i])));
  if (!rest) return Math.max(0, kl);
  const pRest = logRest(oracle.map((e) => e.logprob));
  if (pRest > -Infinity) kl += Math.exp(pRest) * (pRest - Math.max(logRest(subjectLogprobs), -700));
  return Math.max(0, kl);
}

/** Which of the oracle's tokens KL is summed over (the rest in one bin). */
export type KlBins = "top-10" | "vocabulary";

/** The oracle's log p of the tokens KL sums over at each step, and whether a rest bin holds the others. */
export interface KlTokens {
  bins: TopKEntry[][];
  rest: boolean;
}

/**
 * The steps of one prompt. `tokens.bins[i]`: the oracle's log p of the tokens KL sums over at
 * step i (its top-10 and the rest when not given); the subject's scoring must hold a candidate
 * log p for each.
 */
export function forcedSteps(prompt: string, oracle: OracleGeneration, scored: ScoredStep[], tokens?: KlTokens): ForcedStep[] {
  const bins = tokens?.bins;
  return scored.map((s, i) => {
    const oracleTopK = oracle.topk[i] ?? [];
    const reference = bins?.[i] ?? oracleTopK;
    const candidates = s.candidates ?? [];
    if (reference.length === 0 || candidates.length !== reference.length) throw new Error(`step ${i} of ${prompt}: the subject scored ${candidates.length} of the oracle's ${reference.length} tokens KL sums over`);
    const rest = tokens?.rest ?? true;
    const missing = candidates.filter((c) => c === null).length;
    if (missing > 0 && !rest) throw new BlockedError(`step ${i} of ${prompt}: the subject cannot say the log p of ${missing} of the ${reference.length} tokens KL sums over (a server reports only its top-k; bins: top-10 sums over what it reports)`);
    // With a rest bin, a token the subject cannot say (outside a server's top-k) joins the rest: merging bins never raises KL.
    const known = reference.flatMap((e, j) => (candidates[j] === null ? [] : [{ e, q: candidates[j] as number }]));
    const oracleP = Math.exp(oracleTopK.find((e) => e.token === s.token)?.logprob ?? -Infinity);
    return {
      prompt,
      step: i,
      oracleToken: s.token,
      subjectTop: s.topk[0]?.token ?? -1,
      kl: binnedKl(known.map((k) => k.e), known.map((k) => k.q), rest),
      dp: Math.exp(s.logprob) - oracleP,
      oracleMargin: oracleTopK.length >= 2 ? oracleTopK[0].logprob - oracleTopK[1].logprob : null,
      subjectTopK: s.topk.slice(0, 3),
      oracleTopK: oracleTopK.slice(0, 3),
    };
  });
}

/** The oracle's log p of every token its distributions file holds, per step; a rest bin where it holds only the top (kind top). */
export async function vocabularyBins(input: Pick<MeasureInput, "subject" | "oracleDistributions">, prompt: PromptRef, steps: number): Promise<KlTokens> {
  const dist = await input.oracleDistributions(input.subject.model, prompt);
  const bins = Array.from({ length: steps }, (_, step) => dist.tokens(step).map((token) => ({ token, logprob: dist.logprob(step, token) as number })));
  return { bins, rest: dist.kind === "top" };
}

/** Feeds the oracle's tokens to the subject for each prompt and compares step by step. */
export async function forcedAgainstOracle(input: Pick<MeasureInput, "subject" | "score" | "oracleGeneration" | "oracleDistributions">, prompts: PromptRef[], kl: KlBins = "top-10"): Promise<ForcedStep[]> {
  const steps: ForcedStep[] = [];
  for (const prompt of prompts) {
    const oracle = await input.oracleGeneration(input.subject.model, prompt);
    const tokens = kl === "vocabulary" ? await vocabularyBins(input, prompt, oracle.tokens.length) : { bins: oracle.tokens.map((_, i) => oracle.topk[i] ?? []), rest: true };
    const scored = await input.score(input.subject, prompt, oracle.tokens, { topK: 10, candidates: tokens.bins.map((b) => b.map((e) => e.token)) });
    steps.push(...forcedSteps(prompt.name, oracle, scored.steps, tokens));
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

/**
 * The q-th percentile (0 < q <= 100; 100 the maximum) of the steps' KL, by linear interpolation
 * between order statistics as numpy's default; its uncertainty is the half-spread of the order
 * statistics a binomial standard deviation either side (0 at the maximum, which is exact).
 */
export function klPercentile(steps: ForcedStep[], q: number): Estimate {
  const n = steps.length;
  const sorted = steps.map((s) => s.kl).sort((a, b) => a - b);
  const at = (rank: number) => {
    const r = Math.min(Math.max(rank, 0), n - 1);
    const lo = Math.floor(r);
    return sorted[lo] + (sorted[Math.min(lo + 1, n - 1)] - sorted[lo]) * (r - lo);
  };
  const rank = (q / 100) * (n - 1);
  const spread = Math.sqrt(n * (q / 100) * (1 - q / 100));
  return { value: at(rank), uncertainty: (at(rank + spread) - at(rank - spread)) / 2, n };
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
