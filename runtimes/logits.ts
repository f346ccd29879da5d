// Log-probabilities of one step, whoever produced its logits: the engine's Float32Array, or
// llama.cpp's Map<token, logit> (node-llama-cpp). Float64 throughout, as the engine's own
// top-k (engine/generate/logprobs.ts), so two runtimes are compared on the same arithmetic.

import { logSumExp, topK } from "../engine/generate/logprobs.ts";
import type { ScoredStep, TopKEntry } from "./runtime.ts";

export { logSumExp, topK };

/** A dense logits vector from llama.cpp's map (every token of the vocabulary is present). */
export function logitsFromMap(map: ReadonlyMap<number, number>, vocabSize: number): Float32Array {
  const out = new Float32Array(vocabSize).fill(-Infinity);
  for (const [token, logit] of map) if (token >= 0 && token < vocabSize) out[token] = logit;
  return out;
}

/** Index of the largest value; the first on ties (as torch.argmax and the engine's kernel). */
export function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** One forced-decoding step from the logits that predict `token`. */
export function scoredStep(logits: Float32Array, token: number, k: number, candidates?: readonly number[]): ScoredStep {
  const lse = logSumExp(logits);
  const logprobOf = (t: number): number | null => (t >= 0 && t < logits.length ? logits[t] - lse : null);
  const step: ScoredStep = { token, logprob: logprobOf(token) ?? -Infinity, topk: topK(logits, k) as TopKEntry[] };
  if (candidates) step.candidates = candidates.map(logprobOf);
  return step;
}

/** Sliding perplexity windows exactly as engine/generate/perplexity.ts walks them (the HF procedure). */
export interface PerplexityWindow {
  begin: number;
  end: number; // exclusive
  firstTarget: number; // the first token index scored in this window (predicted by the one before it)
}

export function perplexityWindows(n: number, window: number, stride: number): PerplexityWindow[] {
  const windows: PerplexityWindow[] = [];
  let previousEnd = 0;
  for (let begin = 0; begin < n; begin += stride) {
    const end = Math.min(begin + window, n);
    windows.push({ begin, end, firstTarget: Math.max(begin + 1, previousEnd) });
    previousEnd = end;
    if (end === n) break;
  }
  return windows;
}

/** Deterministic token ids for timing runs (speed does not depend on which tokens). */
export function benchTokens(count: number, vocabSize: number, seed = 12345): number[] {
  let state = seed >>> 0;
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    ids.push(state % vocabSize);
  }
  return ids;
}
