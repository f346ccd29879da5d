// Random models of any shape for backend tests and decode benchmarks: the architecture as
// data, every matrix gaussian (scaled 1/sqrt(cols)) and stored as f32 or quantized with the
// engine's own quantizers. Deterministic from a seed. Not a trained model: only shapes and
// arithmetic are meaningful.

import type { Architecture } from "../../engine/model/architecture.ts";
import type { LayerWeights, Linear, Matrix, ModelWeights, Norm } from "../../engine/model/weights.ts";
import type { LoadedModel } from "../../engine/generate/session.ts";
import type { QuantDType } from "../../engine/tensor.ts";
import { QUANT_TYPES, rowByteLength, type QuantName } from "../../engine/quant/types.ts";

/** xorshift32 -> gaussian (Box-Muller), deterministic. */
export function gaussian(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const uniform = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 1) / 4294967297;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()) * scale;
  return out;
}

export function randomMatrix(name: string, rows: number, cols: number, quant: QuantName, seed: number): Matrix {
  const values = gaussian(rows * cols, seed, 1 / Math.sqrt(cols));
  if (quant === "f32") return { kind: "f32", name, rows, cols, data: values };
  const type = QUANT_TYPES[quant];
  const rowBytes = rowByteLength(type, cols);
  const data = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) data.set(type.quantizeRow(values.subarray(r * cols, (r + 1) * cols)), r * rowBytes);
  return { kind: "quant", name, type: quant as QuantDType, rows, cols, data };
}

/** SmolLM-135M's shape (LLaMA family, GQA 9/3, tied embeddings). */
export const SMOLLM_135M: Architecture = {
  family: "llama",
  vocabSize: 49152,
  hidden: 576,
  layers: 30,
  heads: 9,
  kvHeads: 3,
  headDim: 64,
  intermediate: 1536,
  maxPositions: 2048,
  norm: "rms",
  normEps: 1e-5,
  position: "rope",
  ropeTheta: 10000,
  mlp: "swiglu",
  qkvBias: false,
  outputBias: false,
  tiedEmbeddings: true,
  bosTokenId: null,
  eosTokenId: null,
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
      gate: arch.mlp === "swiglu" ? linear(`blk.${l}.ffn_gate`, intermediate, hidden, arch.outputBias) : null,
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
