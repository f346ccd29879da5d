// Power against graded faults: for each claim and each graded kind of fault (core/faults.ts
// GRADED_FAULTS, one fault per magnitude), the finest magnitude the claim refutes. The teeth
// report computes it from what the run refuted; CLAIMS.md from the claims' recorded `catches`,
// which the teeth run checks.

import { GRADED_FAULTS } from "../core/faults.ts";

/** A claim's power against one graded kind of fault: the finest magnitude it refuted, of those run. */
export interface ClaimPower {
  family: string;
  what: string; // what the magnitude is ("e in x + (1 - e) f(x)")
  claim: string;
  finest: number | null; // null: refuted none of them
  refuted: number[]; // every magnitude it refuted, coarsest first
}

/** Which claims refuted a fault. */
export interface FaultCatch {
  fault: string;
  caughtBy: readonly string[];
}

/** Each claim's finest refuted magnitude of each graded kind whose faults ran. */
export function powerOf(outcomes: readonly FaultCatch[], claims: readonly string[]): ClaimPower[] {
  const caught = new Map(outcomes.map((o) => [o.fault, new Set(o.caughtBy)]));
  const power: ClaimPower[] = [];
  for (const [family, { what, magnitudes }] of Object.entries(GRADED_FAULTS)) {
    const ran = magnitudes.filter(([fault]) => caught.has(fault));
    if (ran.length === 0) continue;
    for (const claim of claims) {
      const refuted = ran.filter(([fault]) => caught.get(fault)!.has(claim)).map(([, m]) => m);
      if (refuted.length > 0) power.push({ family, what, claim, finest: refuted[refuted.length - 1], refuted });
    }
  }
  return power;
}
