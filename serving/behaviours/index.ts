// The serving behaviours by name, as the `serving` measure's `behaviour` param names them.

import type { Behaviour } from "../behaviour.ts";
import { concurrency } from "./concurrency.ts";
import { finishReason } from "./finish-reason.ts";
import { greedyEquivalence } from "./greedy-equivalence.ts";
import { latency } from "./latency.ts";
import { logprobSemantics } from "./logprob-semantics.ts";
import { logprobTemperature } from "./logprob-temperature.ts";
import { logprobsReturned } from "./logprobs-returned.ts";
import { maxTokens } from "./max-tokens.ts";
import { prefixCache } from "./prefix-cache.ts";
import { seed } from "./seed.ts";
import { stopStrings } from "./stop-strings.ts";
import { streamConsistency } from "./stream-consistency.ts";

export const BEHAVIOURS: Readonly<Record<string, Behaviour>> = Object.fromEntries(
  [streamConsistency, concurrency, prefixCache, maxTokens, finishReason, stopStrings, logprobSemantics, logprobTemperature, seed, greedyEquivalence, logprobsReturned, latency].map((b) => [b.name, b]),
);
