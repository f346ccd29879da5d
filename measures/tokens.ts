// Token-sequence comparison shared by the token-level measures: mismatch counts and the
// first divergence with the reference's top-k and margin there. Pure functions.

import type { TopKEntry } from "../runtimes/runtime.ts";
import type { Divergence } from "./measure.ts";

/** Positions that differ, over the longer sequence: a missing token counts as a mismatch. */
export function countMismatches(expected: readonly number[], observed: readonly number[]): number {
  const length = Math.max(expected.length, observed.length);
  let mismatches = 0;
  for (let i = 0; i < length; i++) if (expected[i] !== observed[i]) mismatches++;
  return mismatches;
}

/** The first index where the sequences differ (or one ends), or -1 when they are identical. */
export function firstDivergence(expected: readonly number[], observed: readonly number[]): number {
  const length = Math.max(expected.length, observed.length);
  for (let i = 0; i < length; i++) if (expected[i] !== observed[i]) return i;
  return -1;
}

export interface TokenSequence {
  tokens: number[];
  text: string;
  topk: TopKEntry[][]; // per step, most likely first; may be empty
}

/** The divergence of `observed` from `expected` (the reference), or null when identical. */
export function compareTokens(prompt: string, expected: TokenSequence, observed: TokenSequence, reference = "oracle"): Divergence | null {
  const step = firstDivergence(expected.tokens, observed.tokens);
  if (step < 0) return null;
  const referenceTopK = expected.topk[step] ?? [];
  const observedToken = observed.tokens[step] ?? null;
  const observedEntry = referenceTopK.find((e) => e.token === observedToken);
  return {
    prompt,
    reference,
    step,
    expectedToken: expected.tokens[step] ?? null,
    observedToken,
    mismatches: countMismatches(expected.tokens, observed.tokens),
    length: Math.max(expected.tokens.length, observed.tokens.length),
    expectedTokens: expected.tokens,
    observedTokens: observed.tokens,
    expectedText: expected.text,
    observedText: observed.text,
    referenceTopK,
    margin: referenceTopK.length >= 2 ? referenceTopK[0].logprob - referenceTopK[1].logprob : null,
    observedLogprob: observedEntry ? observedEntry.logprob : null,
  };
}

/** "first at step 12 (oracle 318, observed 412, margin 0.031)" */
export function describeDivergence(d: Divergence): string {
  const tok = (t: number | null) => (t === null ? "end" : String(t));
  const margin = d.margin === null ? "" : `, margin ${d.margin.toFixed(3)}`;
  return `first at step ${d.step} (${d.reference} ${tok(d.expectedToken)}, observed ${tok(d.observedToken)}${margin})`;
}
