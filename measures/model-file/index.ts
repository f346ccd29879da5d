// The model-file probes: what the claims expect of a model-file tool (the primitives of
// runtimes/model-file-tool.ts) on the subject's model. Each takes the subject's tool and the
// check's input, computes its expectations itself (from mathematics, from the source files
// read here, or from the oracle) and returns what it found: a violation is an expectation
// that failed. The runtime only converts, reads and reports.
//
//   provenance-enforced   F-GT-001  an enforced import refuses a GGUF source    provenance.ts
//   mixed-quant-warning   F-GT-002  q8_0 vs q4_0 side by side carries a warning mixed-quant-warning.ts
//   provenance-readable   F-GT-003  a native file records its sources' sha256   provenance.ts
//   determinism           F-GT-004  five loads and greedy runs, one output      determinism.ts
//   tokenizer-formats     F-GT-005  every format's tokenizer gives the oracle's ids  tokenizer-formats.ts
//   sharded-load          F-GT-006  every tensor the shard index names, once    sharded-load.ts
//   gguf-dims-reversed    F-LAYOUT-002  GGUF dims innermost first, reimport exact  gguf-dims.ts
//   load-contract         F-LAYOUT-003/4/5  transposed layouts stopped at load  load-contract.ts
//   diff-transposed       F-LAYOUT-006  diff reports the transposed tensor only  diff-transposed.ts
//   conv1d-transposed     GPT-2's Conv1D weights transposed at load             conv1d-transposed.ts
//   quant-error-bound     q8_0 and q4_0 within their block's error bound        quant-error-bound.ts
//
// Adding a probe: one file here exporting its function, one line in MODEL_FILE_PROBES; claims
// then name it in `params: { probe: ... }` of the model-file-probe measure.

import type { ModelFileTool } from "../../runtimes/model-file-tool.ts";
import type { MeasureInput } from "../measure.ts";
import type { ProbeResult } from "../violations.ts";
import { conv1dTransposed } from "./conv1d-transposed.ts";
import { determinism } from "./determinism.ts";
import { diffTransposed } from "./diff-transposed.ts";
import { ggufDimsReversed } from "./gguf-dims.ts";
import { loadContract } from "./load-contract.ts";
import { mixedQuantWarning } from "./mixed-quant-warning.ts";
import { provenanceEnforced, provenanceReadable } from "./provenance.ts";
import { quantErrorBound } from "./quant-error-bound.ts";
import { shardedLoad } from "./sharded-load.ts";
import { tokenizerFormats } from "./tokenizer-formats.ts";

export type ModelFileProbe = (tool: ModelFileTool, input: MeasureInput) => Promise<ProbeResult>;

export const MODEL_FILE_PROBES = {
  "provenance-enforced": provenanceEnforced,
  "mixed-quant-warning": mixedQuantWarning,
  "provenance-readable": provenanceReadable,
  determinism,
  "tokenizer-formats": tokenizerFormats,
  "sharded-load": shardedLoad,
  "gguf-dims-reversed": ggufDimsReversed,
  "load-contract": loadContract,
  "diff-transposed": diffTransposed,
  "conv1d-transposed": conv1dTransposed,
  "quant-error-bound": quantErrorBound,
} as const satisfies Record<string, ModelFileProbe>;

export type ProbeName = keyof typeof MODEL_FILE_PROBES;
export const PROBES = Object.keys(MODEL_FILE_PROBES) as ProbeName[];
