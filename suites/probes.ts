// Measures that observe the embedded engine's own converters, contracts and kernels through
// engine/probes.ts (F-GT, F-LAYOUT, kernel and quantization claims). Each observes the number
// of violations its probe found; the claims predict zero. One table, one line per measure.

import { parseFault, type Fault } from "../engine/faults.ts";
import * as probes from "../engine/probes.ts";
import { BlockedError, type SubjectSpec } from "../runtimes/runtime.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import type { Measure, PromptRef } from "./measure.ts";

/** kernels: the subject's backend with its fault, for the kernel probes. */
type Probe = (subject: SubjectSpec, fault: Fault | null, prompts: PromptRef[], kernels: () => Promise<Kernels>) => probes.ProbeResult | Promise<probes.ProbeResult>;

const table: [name: string, input: Measure["input"], probe: Probe][] = [
  ["provenance-enforced", "subject", (s, f) => probes.probeProvenanceEnforced(s.model, f)],
  ["mixed-quant-warning", "subject", (s, f) => probes.probeMixedQuantWarning(s.model, f)],
  ["provenance-readable", "subject", (s, f) => probes.probeProvenanceReadable(s.model, f)],
  ["determinism", "prompts", (s, f, p) => probes.probeDeterminism(s.model, s.format, s.quant, f, p.map((x) => x.text))],
  ["tokenizer-formats", "subject", (s, f) => probes.probeTokenizerFormats(s.model, f)],
  ["sharded-load", "subject", (s, f) => probes.probeShardedLoad(s.model, f)],
  ["gguf-dims-reversed", "subject", (s, f) => probes.probeGgufDimsReversed(s.model, f)],
  ["load-contract", "subject", (s, f) => probes.probeLoadContract(s.model, f)],
  ["diff-transposed", "subject", (s, f) => probes.probeDiffDetectsTranspose(s.model, f)],
  ["conv1d-transposed", "subject", (s, f) => probes.probeConv1dTransposed(s.model, f)],
  ["softmax-stable", "subject", async (_s, _f, _p, kernels) => probes.probeSoftmaxStable(await kernels())],
  ["norm-of-zero", "subject", async (_s, _f, _p, kernels) => probes.probeNormOfZero(await kernels())],
  ["quant-error-bound", "subject", (s, f) => probes.probeQuantBound(s.model, s.quant as "q8_0" | "q4_0", f)],
];

function probeMeasure([name, input, probe]: (typeof table)[number]): Measure {
  return {
    name,
    input,
    needsAgainst: false,
    quantity: "violations",
    async observe({ subject, prompts, kernels }) {
      if (subject.runtime !== "embedded") throw new BlockedError(`measure ${name} probes the embedded engine; runtime ${subject.runtime} has no such probe`);
      const result = await probe(subject, parseFault(subject.inject), prompts, () => kernels(subject));
      const n = result.violations.length;
      return {
        value: n,
        summary: n === 0 ? `no violation in ${result.checked} checked` : `${n} violation${n > 1 ? "s" : ""}: ${result.violations[0]}`,
        evidence: { notes: result.violations },
      };
    },
  };
}

export const probeMeasures: Measure[] = table.map(probeMeasure);
