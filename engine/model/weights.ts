// The weights the forward pass reads, by role, each checked against its layout contract.
// Matrices are [rows = out, cols = in] row-major, either float32 or llama.cpp quant blocks
// (each row is cols / blockSize blocks). Vectors (norms, biases) are always float32.

import { RefuteError } from "../../core/errors.ts";
import type { QuantDType, Tensor } from "../tensor.ts";
import type { Architecture } from "./architecture.ts";
import { checkShape, expectedShapes } from "./contract.ts";
import { toFloat32 } from "./dequantize.ts";
import { OUTPUT, OUTPUT_NORM, POSITION_EMBEDDING, TOKEN_EMBEDDING, layerTensor, type LayerRole } from "./names.ts";

export type Matrix =
  | { kind: "f32"; name: string; rows: number; cols: number; data: Float32Array }
  | { kind: "quant"; name: string; type: QuantDType; rows: number; cols: number; data: Uint8Array };

export interface Norm {
  weight: Float32Array;
  bias: Float32Array | null;
}

export interface Linear {
  weight: Matrix;
  bias: Float32Array | null;
}

export interface LayerWeights {
  attnNorm: Norm;
  q: Linear;
  k: Linear;
  v: Linear;
  o: Linear;
  ffnNorm: Norm;
  gate: Linear | null;
  up: Linear;
  down: Linear;
}

export interface ModelWeights {
  tokenEmbedding: Matrix; // [vocab, hidden]
  positionEmbedding: Float32Array | null; // [maxPositions, hidden]
  layers: LayerWeights[];
  outputNorm: Norm;
  output: Matrix; // [vocab, hidden]; the token embedding itself when tied
}

function matrixOf(t: Tensor): Matrix {
  const [rows, cols] = t.shape;
  if (t.dtype === "f32" || t.dtype === "f16" || t.dtype === "bf16") return { kind: "f32", name: t.name, rows, cols, data: toFloat32(t) };
  return { kind: "quant", name: t.name, type: t.dtype, rows, cols, data: t.data };
}

/** Checks the layout contract (every expected tensor present, in its shape, and no other), converting nothing. */
export function checkWeightLayout(arch: Architecture, tensors: Map<string, Tensor>): void {
  const expected = expectedShapes(arch);
  for (const [name, shape] of expected) {
    const t = tensors.get(name);
    if (!t) throw new RefuteError("MODEL_MISSING_TENSOR", `tensor ${name} is missing (expected shape [${shape}])`, { tensor: name, expected: shape });
    checkShape(name, shape, t.shape);
  }
  for (const name of tensors.keys()) {
    if (!expected.has(name)) throw new RefuteError("MODEL_UNEXPECTED_TENSOR", `tensor ${name} is not part of a ${arch.family} model with this config`, { tensor: name });
  }
}

/** What a backend does to each weight as it is made (kernels.prepare: into its own memory). */
export interface WeightPreparation {
  matrix(w: Matrix): Matrix;
  vector(v: Float32Array): Float32Array;
}

const AS_MADE: WeightPreparation = { matrix: (w) => w, vector: (v) => v };

/**
 * Checks the layout contract, then arranges the tensors by role, each matrix and vector passed
 * through `prepare` as soon as it is made: the float32 copy of an F16 or BF16 weight is garbage
 * once the backend holds its own, so a model's copies are never all alive twice (a 270 MB F16
 * file peaked at 5.2x its size in cpu-wasm when every copy was made before the first moved). A
 * tied head is the embedding, prepared once. The order is the file's memory layout in cpu-wasm:
 * the embedding, the layers, the output norm and head.
 */
export function buildWeights(arch: Architecture, tensors: Map<string, Tensor>, prepare: WeightPreparation = AS_MADE): ModelWeights {
  checkWeightLayout(arch, tensors);
  const get = (name: string) => tensors.get(name) as Tensor;
  const matrix = (name: string) => prepare.matrix(matrixOf(get(name)));
  const vector = (name: string) => (tensors.has(name) ? prepare.vector(toFloat32(get(name))) : null);
  const norm = (prefix: string): Norm => ({ weight: prepare.vector(toFloat32(get(`${prefix}.weight`))), bias: vector(`${prefix}.bias`) });
  const linear = (layer: number, role: LayerRole): Linear => ({
    weight: matrix(layerTensor(layer, role, "weight")),
    bias: vector(layerTensor(layer, role, "bias")),
  });
  const tokenEmbedding = matrix(TOKEN_EMBEDDING);
  const positionEmbedding = vector(POSITION_EMBEDDING);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < arch.layers; l++) {
    layers.push({
      attnNorm: norm(`blk.${l}.attn_norm`),
      q: linear(l, "attn_q"),
      k: linear(l, "attn_k"),
      v: linear(l, "attn_v"),
      o: linear(l, "attn_output"),
      ffnNorm: norm(`blk.${l}.ffn_norm`),
      gate: arch.gatedMlp ? linear(l, "ffn_gate") : null,
      up: linear(l, "ffn_up"),
      down: linear(l, "ffn_down"),
    });
  }
  const outputNorm = norm(OUTPUT_NORM);
  return { tokenEmbedding, positionEmbedding, layers, outputNorm, output: arch.tiedEmbeddings ? tokenEmbedding : matrix(OUTPUT) };
}
