// serving-latency-ratio: the subject server's median time to first token over refute serve's
// on the same model, format and quant (the params' reference runtime), measured in the same run
// on the same prompts, with both decode rates in the summary: F-OLLAMA-003's latency, as a ratio
// to a reference rather than a wall-clock number that depends on the machine.

import type { ServingEndpoint } from "../runtimes/runtime.ts";
import type { JSONSchemaType } from "ajv";
import { defineMeasure, paramsSchema } from "./measure.ts";

export interface LatencyRatioParams {
  reference_runtime: string;
}

export const servingLatencyRatio = defineMeasure<LatencyRatioParams>({
  name: "serving-latency-ratio",
  description: "the subject server's median time to first token over the reference runtime's (refute serve) on the same subject, prompts and run",
  input: "prompts",
  needsAgainst: false,
  value: "number",
  oracle: () => "none",
  needs: ["serving"],
  params: paramsSchema<LatencyRatioParams>({
    type: "object",
    additionalProperties: false,
    properties: { reference_runtime: { type: "string", default: "refute-serve", description: "the runtime whose server the subject's is timed against" } },
    required: [],
  } as JSONSchemaType<LatencyRatioParams>),
  quantity: (p) => `time to first token / ${p.reference_runtime}'s`,
  async observe({ subject, prompts, maxNewTokens, serving }, params) {
    const { latency } = await import("../serving/behaviours/latency.ts");
    const { observeBehaviour } = await import("../serving/behaviour.ts");
    const timed = (endpoint: ServingEndpoint) => observeBehaviour(latency, { endpoint, prompts, maxTokens: maxNewTokens, concurrency: 1 });
    const own = await serving(subject, timed);
    const reference = await serving({ ...subject, runtime: params.reference_runtime }, timed);
    const ratio = (own.value ?? Number.POSITIVE_INFINITY) / (reference.value ?? Number.NaN);
    return {
      value: ratio,
      reference: reference.value,
      summary: `time to first token ${ratio.toFixed(2)} x ${params.reference_runtime}'s; subject: ${own.notes[0]}; ${params.reference_runtime}: ${reference.notes[0]}`,
      evidence: { notes: [...own.violations, ...reference.violations, `subject: ${own.notes[0]}`, `${params.reference_runtime}: ${reference.notes[0]}`] },
    };
  },
});
