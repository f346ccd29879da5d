// One description for every supported family. The forward pass reads these fields; the
// differences between LLaMA/SmolLM, Qwen2 and GPT-2 are data here, not code elsewhere.

import type { Family } from "../../core/vocabulary.ts";

export type { Family } from "../../core/vocabulary.ts";

export interface Architecture {
  family: Family;
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number; // < heads means grouped-query attention: head h reads kv head floor(h / (heads / kvHeads))
  headDim: number;
  intermediate: number;
  maxPositions: number;
  norm: "rms" | "layer";
  normEps: number;
  position: "rope" | "learned";
  ropeTheta: number;
  mlp: "swiglu" | "gelu"; // swiglu: down(silu(gate x) * up x); gelu: down(gelu_new(up x + b) ) + b
  qkvBias: boolean;
  outputBias: boolean; // attention output and MLP biases (GPT-2)
  tiedEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenId: number | null;
}
