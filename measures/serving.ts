// serving: one behaviour of an OpenAI-compatible server (serving/behaviours/), observed through
// the server's own API: streaming against whole answers, requests in flight at once, the
// prompt cache, max_tokens, finish reasons, stop strings, logprob semantics, seeds, greedy
// equivalences, time to first token. The server's features are probed first; a behaviour that
// needs one the server lacks is blocked naming it. The value is the number of violations (the
// time to first token for latency); each violation is a line of evidence, with the settings
// the server was started with.

import type { JSONSchemaType } from "ajv";
import { defineMeasure, paramsSchema } from "./measure.ts";

export const SERVING_BEHAVIOURS = [
  "stream-consistency",
  "concurrency",
  "prefix-cache",
  "max-tokens",
  "finish-reason",
  "stop-strings",
  "logprob-semantics",
  "logprob-temperature",
  "seed",
  "greedy-equivalence",
  "logprobs-returned",
  "latency",
] as const;

export interface ServingParams {
  behaviour: (typeof SERVING_BEHAVIOURS)[number];
  concurrency: number;
}

export const serving = defineMeasure<ServingParams>({
  name: "serving",
  description: "violations of one serving behaviour of an OpenAI-compatible server (latency: median time to first token in ms)",
  input: "prompts",
  needsAgainst: false,
  value: "number",
  oracle: () => "none",
  needs: ["serving"],
  params: paramsSchema<ServingParams>({
    type: "object",
    additionalProperties: false,
    properties: {
      behaviour: { type: "string", enum: [...SERVING_BEHAVIOURS], description: "the behaviour observed (serving/behaviours/)" },
      concurrency: { type: "integer", minimum: 1, maximum: 64, default: 4, description: "concurrency: the other requests in flight beside each prompt's" },
    },
    required: ["behaviour"],
  } as JSONSchemaType<ServingParams>),
  quantity: (p) => (p.behaviour === "latency" ? "median time to first token (ms)" : `${p.behaviour} violations`),
  async observe({ subject, prompts, maxNewTokens, serving: served }, params) {
    const { BEHAVIOURS } = await import("../serving/behaviours/index.ts");
    const { observeBehaviour } = await import("../serving/behaviour.ts");
    const behaviour = BEHAVIOURS[params.behaviour];
    return served(subject, async (endpoint) => {
      const settings = `server settings: ${Object.entries(endpoint.settings).map(([k, v]) => `${k} ${v}`).join(", ") || "as configured"}`;
      const result = await observeBehaviour(behaviour, { endpoint, prompts, maxTokens: maxNewTokens, concurrency: params.concurrency });
      const value = result.value ?? result.violations.length;
      const summary =
        result.value !== undefined
          ? result.notes[0] ?? `${value}`
          : result.violations.length === 0
            ? `${behaviour.description}: held in all ${result.checked} comparisons`
            : `${result.violations.length} violation(s) of ${behaviour.description}; first: ${result.violations[0]}`;
      return { value, summary, evidence: { notes: [...result.violations, ...result.notes, settings] } };
    });
  },
});
