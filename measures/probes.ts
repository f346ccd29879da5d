// model-file-probe: one of the model-file probes of measures/model-file/ on the subject's
// model-file tool (capability `model-files`): provenance, converters, tokenizers across
// formats, layout contracts, quantization bounds, the subject's fault included. The probe
// judges the tool's primitives; the observation is the number of violations it found, and the
// claims predict zero. `determinism` takes the claim's prompts (five independent loads and
// greedy runs of them).

import { defineMeasure, NO_PARAMS, paramsSchema } from "./measure.ts";
import { MODEL_FILE_PROBES, PROBES, type ProbeName } from "./model-file/index.ts";
import { violationsObservation } from "./violations.ts";

const PARAMS = paramsSchema<{ probe: ProbeName }>({
  type: "object",
  additionalProperties: false,
  properties: { probe: { type: "string", enum: PROBES, description: "which model-file probe" } },
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
  async observe(input, { probe }) {
    return violationsObservation(await MODEL_FILE_PROBES[probe](await input.modelFiles(input.subject), input));
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
  async observe(input) {
    return violationsObservation(await MODEL_FILE_PROBES.determinism(await input.modelFiles(input.subject), input));
  },
});
