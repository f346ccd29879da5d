// The registry of measures: claims name a measure by its `name` and give its `params`.
// Adding a kind of measure is one file in measures/ and one line here; the claims schema
// (claims/schema.json, `refute gates schema`) follows from this list.
//
// Loading it loads no engine or runtime code: every measure imports types only, and what it
// needs of the engine's test data it imports when it observes.

import { chatRender } from "./chat-render.ts";
import { drift } from "./drift.ts";
import { endOfSequence } from "./end-of-sequence.ts";
import { decodeScaling } from "./decode-scaling.ts";
import { exactText } from "./exact-text.ts";
import { klDivergence, rmsDpPercent, sameTop1Percent } from "./forced-stats.ts";
import { fileToolProbe } from "./file-tool-probe.ts";
import { forcedTop1 } from "./forced-top1.ts";
import { kernelAgreement } from "./kernel-agreement.ts";
import { kernelProbe } from "./kernel-probe.ts";
import { kvCacheFidelity, kvGreedyMismatch, kvOracleMismatch, kvPerplexity } from "./kv.ts";
import { logprobAgreement, logprobDelta } from "./logprob-delta.ts";
import type { AnyMeasure } from "./measure.ts";
import { pplCeiling } from "./ppl-ceiling.ts";
import { pplDeviation } from "./ppl-deviation.ts";
import { pplDifference } from "./ppl-difference.ts";
import { determinism, modelFileProbe } from "./probes.ts";
import { roundtrip } from "./roundtrip.ts";
import { generationSanity } from "./sanity.ts";
import { serving } from "./serving.ts";
import { strictNextToken } from "./strict-next-token.ts";
import { servingLatencyRatio } from "./serving-latency-ratio.ts";
import { runtimeAgreement } from "./runtime-agreement.ts";
import { throughputRatio } from "./throughput-ratio.ts";
import { timingCv } from "./timing-cv.ts";
import { tokenMismatch } from "./token-mismatch.ts";
import { tokenizeAgreement } from "./tokenize-agreement.ts";
import { tokenizerVectors } from "./tokenizer-vectors.ts";

const registry: AnyMeasure[] = [
  exactText,
  tokenMismatch,
  drift,
  roundtrip,
  pplCeiling,
  pplDifference,
  pplDeviation,
  runtimeAgreement,
  tokenizeAgreement,
  forcedTop1,
  strictNextToken,
  klDivergence,
  sameTop1Percent,
  rmsDpPercent,
  decodeScaling,
  timingCv,
  throughputRatio,
  kernelAgreement,
  kernelProbe,
  modelFileProbe,
  fileToolProbe,
  determinism,
  kvPerplexity,
  kvGreedyMismatch,
  kvOracleMismatch,
  kvCacheFidelity,
  logprobDelta,
  logprobAgreement,
  generationSanity,
  tokenizerVectors,
  chatRender,
  endOfSequence,
  serving,
  servingLatencyRatio,
];

export const measures: ReadonlyMap<string, AnyMeasure> = new Map(registry.map((m) => [m.name, m]));

export type { AnyMeasure, Divergence, Evidence, Measure, MeasureInput, Observation, OracleGeneration, OraclePerplexity, PromptRef } from "./measure.ts";
