// The one place where an observation meets its prediction. A measure says what it saw;
// the judge resolves the claim's threshold (a number, or relative to the observation's
// reference), applies the comparator and writes the verdict line:
//
//   mismatched tokens = 7 > 5
//   perplexity = 41.2 > 2 x oracle (37.2)

import type { Observation } from "../measures/measure.ts";
import type { Comparator, Prediction } from "./claims.ts";

export interface Expected {
  comparator: Comparator;
  threshold: Prediction["threshold"];
  bound: number | string | null; // the threshold resolved against the reference; null if it could not be
  description: string; // "mismatched tokens <= 5"
}

export interface Observed {
  value: number | string;
  reference?: number | string;
  summary: string;
}

export interface Judgement {
  verdict: "corroborated" | "falsified";
  expected: Expected;
  observed: Observed;
  line: string; // "mismatched tokens = 7 > 5"
}

const symbol: Record<Comparator, string> = { eq: "=", le: "<=", lt: "<", ge: ">=", gt: ">" };
const negation: Record<Comparator, string> = { eq: "!=", le: ">", lt: ">=", ge: "<", gt: "<=" };

/** "mismatched tokens <= 5"; quantity: the measure's, for the claim's params. */
export function describeExpected(quantity: string, prediction: Prediction, bound?: number | string | null): string {
  return `${quantity} ${symbol[prediction.comparator]} ${describeThreshold(prediction.threshold, bound)}`;
}

function describeThreshold(t: Prediction["threshold"], bound?: number | string | null): string {
  if (typeof t === "number") return String(t);
  const base = t.factor !== undefined ? `${t.factor} x ${t.of}` : t.offset !== undefined ? `${t.of} ${t.offset < 0 ? "-" : "+"} ${Math.abs(t.offset)}` : `${t.of}`;
  if (bound === undefined || bound === null || typeof bound === "string") return base;
  return `${base} (${formatNumber(bound)})`;
}

/** The threshold as a value, given the observation's reference. */
export function resolveBound(t: Prediction["threshold"], reference: number | string | undefined): number | string | null {
  if (typeof t === "number") return t;
  if (reference === undefined) return null;
  if (t.factor === undefined && t.offset === undefined) return reference;
  if (typeof reference !== "number") return null;
  return t.factor !== undefined ? t.factor * reference : reference + t.offset!;
}

function holds(c: Comparator, value: number | string, bound: number | string): boolean {
  if (typeof value !== typeof bound) return false;
  switch (c) {
    case "eq":
      return value === bound;
    case "le":
      return value <= bound;
    case "lt":
      return value < bound;
    case "ge":
      return value >= bound;
    case "gt":
      return value > bound;
  }
}

export function judge(quantity: string, prediction: Prediction, observation: Observation): Judgement {
  const bound = resolveBound(prediction.threshold, observation.reference);
  const expected: Expected = {
    comparator: prediction.comparator,
    threshold: prediction.threshold,
    bound,
    description: describeExpected(quantity, prediction, bound),
  };
  const observed: Observed = {
    value: observation.value,
    ...(observation.reference !== undefined ? { reference: observation.reference } : {}),
    summary: observation.summary,
  };
  // NaN compares false with everything: a NaN perplexity falsifies its ceiling, as it should.
  const ok = bound !== null && holds(prediction.comparator, observation.value, bound);
  const op = ok ? symbol[prediction.comparator] : negation[prediction.comparator];
  const shownBound = bound === null ? "(no reference observed)" : typeof prediction.threshold === "number" ? formatNumber(prediction.threshold) : describeThreshold(prediction.threshold, bound);
  const line =
    typeof observation.value === "string"
      ? `${quantity} ${op} ${shownBound}` // text != oracle
      : `${quantity} = ${formatNumber(observation.value)} ${op} ${shownBound}`; // mismatched tokens = 7 > 5
  return { verdict: ok ? "corroborated" : "falsified", expected, observed, line };
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toPrecision(6).replace(/\.?0+$/, "");
}
