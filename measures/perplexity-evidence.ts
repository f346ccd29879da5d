// One row of perplexity evidence: a subject's perplexity next to the oracle's, with the tokens
// each scored and the window and stride they shared. Shared by the perplexity measures.

import type { Perplexity } from "../runtimes/runtime.ts";
import type { OraclePerplexity, PerplexityEvidence } from "./measure.ts";

export function perplexityRow(p: Perplexity, oracle: OraclePerplexity, label?: string): PerplexityEvidence {
  return {
    ...(label === undefined ? {} : { label }),
    subject: p.perplexity,
    reference: oracle.perplexity,
    tokensScored: p.tokensScored,
    referenceTokensScored: oracle.tokensScored,
    window: oracle.window,
    stride: oracle.stride,
  };
}
