// The registry of measures: claims name a measure by its `name`. Adding a kind of
// measure is one file in suites/ and one line here.

import { decodeScaling } from "./decode-scaling.ts";
import { drift } from "./drift.ts";
import { exactText } from "./exact-text.ts";
import { klDivergence, rmsDpPercent, sameTop1Percent } from "./forced-stats.ts";
import { forcedTop1 } from "./forced-top1.ts";
import { kernelAgreement } from "./kernel-agreement.ts";
import { kvMeasures } from "./kv.ts";
import type { Measure } from "./measure.ts";
import { pplCeiling } from "./ppl-ceiling.ts";
import { pplDifference } from "./ppl-difference.ts";
import { probeMeasures } from "./probes.ts";
import { roundtrip } from "./roundtrip.ts";
import { runtimeAgreement } from "./runtime-agreement.ts";
import { throughputRatio } from "./throughput-ratio.ts";
import { timingCv } from "./timing-cv.ts";
import { tokenMismatch } from "./token-mismatch.ts";
import { tokenizeAgreement } from "./tokenize-agreement.ts";

export const measures: ReadonlyMap<string, Measure> = new Map(
  [
    exactText,
    tokenMismatch,
    drift,
    roundtrip,
    pplCeiling,
    pplDifference,
    ...probeMeasures,
    runtimeAgreement,
    tokenizeAgreement,
    forcedTop1,
    klDivergence,
    sameTop1Percent,
    rmsDpPercent,
    decodeScaling,
    timingCv,
    throughputRatio,
    ...kvMeasures,
    kernelAgreement,
  ].map((m) => [m.name, m]),
);

export type { Divergence, Evidence, Measure, MeasureInput, Observation, OracleGeneration, OraclePerplexity, PromptRef } from "./measure.ts";
