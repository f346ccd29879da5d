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

/** Checks every contract, then arranges the tensors by role. Unknown extra tensors are an error. */
export function buildWeights(arch: Architecture, tensors: Map<string, Tensor>): ModelWeights {
  const expected = expectedShapes(arch);
  for (const [name, shape] of expected) {
    const t = tensors.get(name);
    if (!t) throw new RefuteError("MODEL_MISSING_TENSOR", `tensor ${name} is missing (expected shape [${shape}])`, { tensor: name, expected: shape });
    checkShape(name, shape, t.shape);
  }
  for (const name of tensors.keys()) {
    if (!expected.has(name)) throw new RefuteError("MODEL_UNEXPECTED_TENSOR", `tensor ${name} is not part of a ${arch.family} model with this config`, { tensor: name });
  }
  const get = (name: string) => tensors.get(name) as Tensor;
  const vector = (name: string) => (tensors.has(name) ? toFloat32(get(name)) : null);
  const norm = (prefix: string): Norm => ({ weight: toFloat32(get(`${prefix}.weight`)), bias: vector(`${prefix}.bias`) });
  const linear = (layer: number, role: LayerRole): Linear => ({
    weight: matrixOf(get(layerTensor(layer, role, "weight"))),
    bias: vector(layerTensor(layer, role, "bias")),
  });
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
  const tokenEmbedding = matrixOf(get(TOKEN_EMBEDDING));
  return {
    tokenEmbedding,
    positionEmbedding: vector(POSITION_EMBEDDING),
    layers,
    outputNorm: norm(OUTPUT_NORM),
    output: arch.tiedEmbeddings ? tokenEmbedding : matrixOf(get(OUTPUT)),
  };
}

/**
 * The same weights with every matrix passed through `matrix` and every vector through
 * `vector`, each once (a tied head stays the embedding).
 */
export function mapWeights(weights: ModelWeights, matrix: (w: Matrix) => Matrix, vector: (v: Float32Array) => Float32Array): ModelWeights {
  const done = new Map<Matrix, Matrix>();
  const map = (w: Matrix): Matrix => {
    let mapped = done.get(w);
    if (!mapped) done.set(w, (mapped = matrix(w)));
    return mapped;
  };
  const maybe = (v: Float32Array | null) => v && vector(v);
  const linear = (l: Linear): Linear => ({ weight: map(l.weight), bias: maybe(l.bias) });
  const norm = (n: Norm): Norm => ({ weight: vector(n.weight), bias: maybe(n.bias) });
  return {
    tokenEmbedding: map(weights.tokenEmbedding),
    positionEmbedding: maybe(weights.positionEmbedding),
    layers: weights.layers.map((l) => ({
      attnNorm: norm(l.attnNorm),
      q: linear(l.q),
      k: linear(l.k),
      v: linear(l.v),
      o: linear(l.o),
      ffnNorm: norm(l.ffnNorm),
      gate: l.gate && linear(l.gate),
      up: linear(l.up),
      down: linear(l.down),
    })),
    outputNorm: norm(weights.outputNorm),
    output: map(weights.output),
  };
}
