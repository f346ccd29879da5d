// Random models of any shape for backend tests and decode benchmarks: the architecture as
// data, every matrix gaussian (scaled 1/sqrt(cols)) and stored as f32 or quantized with the
// engine's own quantizers. Deterministic from a seed. Not a trained model: only shapes and
// arithmetic are meaningful.

import type { Architecture } from "../../engine/model/architecture.ts";
import { FAMILY_SPECS } from "../../engine/model/families/index.ts";
import type { LayerWeights, Linear, ModelWeights, Norm } from "../../engine/model/weights.ts";
import type { LoadedModel } from "../../engine/generate/session.ts";
import { gaussian, randomMatrix } from "../../engine/backends/random-inputs.ts";
import type { QuantName } from "../../engine/quant/types.ts";

/** SmolLM-135M's shape (LLaMA family, GQA 9/3, tied embeddings). */
export const SMOLLM_135M: Architecture = {
  family: "llama",
  vocabSize: 49152,
  hidden: 576,
  layers: 30,
  heads: 9,
  kvHeads: 3,
  headDim: 64,
  rotaryDims: 64,
  intermediate: 1536,
  maxPositions: 2048,
  normEps: 1e-5,
  ropeTheta: 10000,
  ...FAMILY_SPECS.llama.traits,
  bosTokenId: null,
  eosTokenId: null,
  ropeScaling: null,
};

export function randomModel(arch: Architecture, quant: QuantName, seed = 1): LoadedModel {
  let next = seed;
  const { hidden, heads, kvHeads, headDim, intermediate, vocabSize } = arch;
  const norm = (): Norm => ({ weight: gaussian(hidden, next++, 0.1).map((v) => 1 + v), bias: arch.norm === "layer" ? gaussian(hidden, next++, 0.1) : null });
  const linear = (name: string, rows: number, cols: number, bias: boolean): Linear => ({
    weight: randomMatrix(name, rows, cols, quant, next++),
    bias: bias ? gaussian(rows, next++, 0.1) : null,
  });
  const layers: LayerWeights[] = [];
  for (let l = 0; l < arch.layers; l++) {
    layers.push({
      attnNorm: norm(),
      q: linear(`blk.${l}.attn_q`, heads * headDim, hidden, arch.qkvBias),
      k: linear(`blk.${l}.attn_k`, kvHeads * headDim, hidden, arch.qkvBias),
      v: linear(`blk.${l}.attn_v`, kvHeads * headDim, hidden, arch.qkvBias),
      o: linear(`blk.${l}.attn_output`, hidden, heads * headDim, arch.outputBias),
      ffnNorm: norm(),
      gate: arch.gatedMlp ? linear(`blk.${l}.ffn_gate`, intermediate, hidden, arch.outputBias) : null,
      up: linear(`blk.${l}.ffn_up`, intermediate, hidden, arch.outputBias),
      down: linear(`blk.${l}.ffn_down`, hidden, intermediate, arch.outputBias),
    });
  }
  const tokenEmbedding = randomMatrix("token_embd", vocabSize, hidden, quant, next++);
  const weights: ModelWeights = {
    tokenEmbedding,
    positionEmbedding: arch.position === "learned" ? gaussian(arch.maxPositions * hidden, next++, 0.1) : null,
    layers,
    outputNorm: norm(),
    output: arch.tiedEmbeddings ? tokenEmbedding : randomMatrix("output", vocabSize, hidden, quant, next++),
  };
  return { arch, weights };
}
