// Choosing the next token from a step's logits, as a serving API asks: greedy at temperature 0
// (or top_k 1), else softmax(logits / temperature) restricted to the top_k most likely tokens
// and to the smallest set whose probability reaches top_p, drawn with a seeded generator so
// that one seed gives one text; min_p (llama.cpp's) cuts tokens less likely than min_p times the
// most likely one. The argmax is the kernels' own, so greedy serving equals the
// engine's greedy decoding token for token.

import { mulberry32 } from "../core/mulberry32.ts";

export interface SamplingParams {
  temperature: number; // 0: greedy
  topK: number; // 0: the whole vocabulary
  topP: number; // in (0, 1]; 1: no nucleus cut
  minP: number; // in [0, 1]: tokens less likely than minP x the most likely are cut; 0: none (llama.cpp's extension)
  seed: number | null; // null: a seed of the server's choosing
}

export const GREEDY: SamplingParams = Object.freeze({ temperature: 0, topK: 0, topP: 1, minP: 0, seed: null });

/** Whether these parameters choose the most likely token every time. */
export function isGreedy(p: SamplingParams): boolean {
  return p.temperature === 0 || p.topK === 1;
}

/** A token chooser for one request; `argmax` is the kernels' (greedy decoding's own tie-breaking). */
export function makeSampler(p: SamplingParams, argmax: (logits: Float32Array) => number, fallbackSeed: () => number): (logits: Float32Array) => number {
  if (isGreedy(p)) return argmax;
  if (!(p.temperature > 0) || !(p.topP > 0 && p.topP <= 1) || !(p.topK >= 0)) {
    throw new RangeError(`sampling parameters out of range: temperature ${p.temperature}, top_k ${p.topK}, top_p ${p.topP}`);
  }
  const uniform = mulberry32(p.seed ?? fallbackSeed());
  return (logits) => drawToken(logits, p, uniform());
}

/** The token that uniform draw `u` in [0, 1) picks from the temperature-scaled, top-k and top-p restricted distribution. */
export function drawToken(logits: Float32Array, p: SamplingParams, u: number): number {
  const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
  const max = logits[order[0]];
  // top_k, then min_p on the model's own probabilities (before temperature, as llama.cpp's chain)
  const kept = (p.topK > 0 ? order.slice(0, p.topK) : order).filter((id) => Math.exp(logits[id] - max) >= p.minP);
  const weights = kept.map((id) => Math.exp((logits[id] - max) / p.temperature));
  const total = weights.reduce((s, w) => s + w, 0);
  // nucleus: the most likely tokens until their probability reaches top_p
  let n = 0;
  let mass = 0;
  while (n < kept.length && (n === 0 || mass < p.topP)) mass += weights[n++] / total;
  let target = u * mass;
  for (let i = 0; i < n; i++) {
    target -= weights[i] / total;
    if (target < 0) return kept[i];
  }
  return kept[n - 1];
}
