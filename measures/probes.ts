// model-file-probe: one of the subject's model-file probes (capability `model-files`): the
// converters', importers' and layout contracts' own behaviour on the subject's model (F-GT,
// F-LAYOUT, quantization bounds), its fault included. The runtime runs the probe; the
// observation is the number of violations it found, and the claims predict zero.
// `determinism` takes the claim's prompts (five independent loads and greedy runs of them).

import { PROBES, type ProbeName } from "../runtimes/runtime.ts";
import { defineMeasure, NO_PARAMS, paramsSchema } from "./measure.ts";
import { violationsObservation } from "./violations.ts";

const PARAMS = paramsSchema<{ probe: ProbeName }>({
  type: "object",
  additionalProperties: false,
  properties: { probe: { type: "string", enum: [...PROBES], description: "which model-file probe" } },
  required: ["probe"],
});

export const modelFileProbe = defineMeasure<{ probe: ProbeName }>({
  name: "model-file-probe",
  description: "violations a model-file probe of the subject finds: provenance, converters, tokenizers across formats, layout contracts, quantization bounds",
  input: "subject",
  needsAgainst: false,
  value: "number",
  oracle: () => "none",
  needs: ["model-files"],
  params: PARAMS,
  quantity: () => "violations",
  async observe({ subject, probe }, params) {
    return violationsObservation(await probe(subject, params.probe, []));
  },
});

export const determinism = defineMeasure({
  name: "determinism",
  description: "violations of determinism: five independent loads and greedy runs of the claim's prompts must give bit-identical tokens and top-k log-probs",
  input: "prompts",
  needsAgainst: false,
  value: "number",
  oracle: () => "none",
  needs: ["model-files"],
  params: NO_PARAMS,
  quantity: () => "violations",
  async observe({ subject, probe, prompts }) {
    return violationsObservation(await probe(subject, "determinism", prompts));
  },
});
