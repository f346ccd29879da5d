// The observation of a probe: the number of violations it found, the first in the summary
// and all of them in the evidence. Shared by the kernel and model-file probes.

import type { ProbeResult } from "../runtimes/runtime.ts";
import type { Observation } from "./measure.ts";

export function violationsObservation(result: ProbeResult): Observation {
  const n = result.violations.length;
  return {
    value: n,
    summary: n === 0 ? `no violation in ${result.checked} checked` : `${n} violation${n > 1 ? "s" : ""}: ${result.violations[0]}`,
    evidence: { notes: result.violations },
  };
}
