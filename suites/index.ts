// The registry of measures: claims name a measure by its `name`. Adding a kind of
// measure is one file in suites/ and one line here.

import { drift } from "./drift.ts";
import { exactText } from "./exact-text.ts";
import type { Measure } from "./measure.ts";
import { pplCeiling } from "./ppl-ceiling.ts";
import { pplDifference } from "./ppl-difference.ts";
import { probeMeasures } from "./probes.ts";
import { roundtrip } from "./roundtrip.ts";
import { tokenMismatch } from "./token-mismatch.ts";

export const measures: ReadonlyMap<string, Measure> = new Map(
  [
    exactText,
    tokenMismatch,
    drift,
    roundtrip,
    pplCeiling,
    pplDifference,
    ...probeMeasures,
  ].map((m) => [m.name, m]),
);

export type { Divergence, Evidence, Measure, MeasureInput, Observation, OracleGeneration, OraclePerplexity, PromptRef } from "./measure.ts";
