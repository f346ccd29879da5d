// Log-probability comparison, the shared part of logprob-delta (a subject against the
// oracle's distributions) and logprob-agreement (a subject against a second subject).
//
// A reference gives, at each step, the log p of the tokens it knows; a subject gives its own
// log p of the tokens asked for, or null where it cannot say (a server reports only its top
// k). Where the subject cannot say but lists a top-k, the token is outside it, so its log p is
// at most the subject's k-th: |delta| >= reference - k-th when that is positive, a lower bound
// kept as the delta; where that bound is 0 the token is counted as unknown. Pure functions.

import type { TopKEntry } from "../runtimes/runtime.ts";

/** One compared token: where, the two log p, and |reference - subject| (a lower bound where `bound`). */
export interface LogprobDelta {
  prompt: string;
  step: number;
  token: number;
  reference: number;
  subject: number | null;
  delta: number;
  bound: boolean; // the subject did not say; delta is the lower bound from its top-k
}

export interface StepComparison {
  deltas: LogprobDelta[];
  unknown: number; // tokens whose delta could not even be bounded
}

/**
 * The deltas of one step: `tokens` with the reference's log p, the subject's log p of each
 * (null where it cannot say) and its top-k (for the bound).
 */
export function compareStep(prompt: string, step: number, tokens: number[], reference: (number | null)[], subject: (number | null)[], subjectTopK: TopKEntry[]): StepComparison {
  const deltas: LogprobDelta[] = [];
  let unknown = 0;
  const floor = subjectTopK.length > 0 ? Math.min(...subjectTopK.map((e) => e.logprob)) : null;
  tokens.forEach((token, i) => {
    const ref = reference[i];
    if (ref === null || ref === undefined) return;
    const mine = subject[i] ?? null;
    if (mine !== null) {
      deltas.push({ prompt, step, token, reference: ref, subject: mine, delta: Math.abs(ref - mine), bound: false });
    } else if (floor !== null && ref > floor) {
      deltas.push({ prompt, step, token, reference: ref, subject: null, delta: ref - floor, bound: true });
    } else unknown++;
  });
  return { deltas, unknown };
}

export interface DeltaSummary {
  max: LogprobDelta | null;
  compared: number;
  bounded: number;
  unknown: number;
  steps: number;
  worst: LogprobDelta[]; // the largest, at most 5
}

export function summarize(steps: StepComparison[]): DeltaSummary {
  const all = steps.flatMap((s) => s.deltas);
  const worst = [...all].sort((a, b) => b.delta - a.delta).slice(0, 5);
  return { max: worst[0] ?? null, compared: all.length, bounded: all.filter((d) => d.bound).length, unknown: steps.reduce((n, s) => n + s.unknown, 0), steps: steps.length, worst };
}

export function describeDelta(d: LogprobDelta, reference: string): string {
  const subject = d.subject === null ? `outside the subject's top-k (|delta| >= ${d.delta.toExponential(3)})` : `subject ${d.subject.toFixed(7)}`;
  return `${d.prompt} step ${d.step} token ${d.token}: ${reference} ${d.reference.toFixed(7)}, ${subject}, |delta| ${d.delta.toExponential(3)}`;
}
