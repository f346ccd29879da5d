// Which of the oracle's held-out texts a perplexity measure scores (scripts/gen_ppl.py):
// "heldout", the chains the zoo learned (perplexity about 1.05), or "shuffled", the same kinds of
// sentences with random slots, where perplexity is several units and a small fault shows.

import type { JSONSchemaType } from "ajv";
import { paramsSchema } from "./measure.ts";

export interface PplTextParams {
  text?: "heldout" | "shuffled";
}

export const PPL_TEXT_PARAMS = paramsSchema<PplTextParams>({
  type: "object",
  additionalProperties: false,
  properties: { text: { type: "string", enum: ["heldout", "shuffled"], nullable: true, default: "heldout", description: "the held-out text: heldout (the zoo's chains) or shuffled (random slots: perplexity with power)" } },
  required: [],
} as JSONSchemaType<PplTextParams>);

/** " on the shuffled text" for the second text; nothing for the held-out one, which every perplexity claim meant before it. */
export function onText(p: PplTextParams): string {
  return p.text && p.text !== "heldout" ? ` on the ${p.text} text` : "";
}

/** The oracle's perplexity record of a model for a text, under oracle/ppl/: <model>.json for the held-out text, <model>.<text>.json for another. */
export function perplexityRecord(model: string, text: string = "heldout"): string {
  return text === "heldout" ? `${model}.json` : `${model}.${text}.json`;
}
