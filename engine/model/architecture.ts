// One description for every supported family: the shape and the traits the forward pass
// reads as data. Where each family's values come from (config.json keys, defaults, GGUF
// keys) is the family registry's business (families/); this file is only the description.

import type { RopeScaling } from "./rope-scaling.ts";
import type { Family } from "../../core/vocabulary.ts";

export type { Family } from "../../core/vocabulary.ts";

/** The MLP activations the engine implements (generate/activation.ts). */
export type Activation = "silu" | "gelu_new";

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
  ropeTheta: number; // 0 with learned positions
  ropeScaling: RopeScaling | null; // config.json's rope_scaling (rope-scaling.ts); null: plain RoPE, or learned positions
  rotaryDims: number; // dims of each head RoPE rotates (llama.cpp's n_rot): headDim, as the rope kernels rotate whole heads; 0 with learned positions
  activation: Activation;
  gatedMlp: boolean; // true: down(act(gate x) * up x); false: down(act(up x + b)) + b
  embeddingScale: number; // the token embedding row is multiplied by this before the first layer (1: not scaled)
  qkvBias: boolean;
  outputBias: boolean; // attention output and MLP biases (GPT-2)
  tiedEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenId: number | null;
}
