// The observation of a probe: the number of violations it found, the first in the summary
// and all of them in the evidence. Shared by the kernel and model-file probes.

import type { Observation } from "./measure.ts";

/** What a probe found: how many things it looked at, and each prediction that failed. */
export interface ProbeResult {
  checked: number; // how many things were looked at (tensors, prompts, runs)
  violations: string[]; // one line each; empty when the prediction holds
}

export function violationsObservation(result: ProbeResult): Observation {
  const n = result.violations.length;
  return {
    value: n,
    summary: n === 0 ? `no violation in ${result.checked} checked` : `${n} violation${n > 1 ? "s" : ""}: ${result.violations[0]}`,
    evidence: { notes: result.violations },
  };
}
