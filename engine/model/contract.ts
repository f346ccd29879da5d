// Layout contracts: the shape every canonical tensor must have for an architecture.
// Inside the engine every matrix is row-major [out, in]. A tensor that breaks its contract
// is an error naming it, the expected and the found shape (and whether it looks transposed).

import { RefuteError } from "../../core/errors.ts";
import type { Architecture } from "./architecture.ts";
import { LAYER_ROLES, OUTPUT, OUTPUT_NORM, POSITION_EMBEDDING, TOKEN_EMBEDDING, layerTensor, type LayerRole } from "./names.ts";

/** name -> expected shape, for every tensor the architecture needs. */
export function expectedShapes(arch: Architecture): Map<string, number[]> {
  const { hidden, vocabSize, heads, kvHeads, headDim, intermediate } = arch;
  const shapes = new Map<string, number[]>();
  shapes.set(TOKEN_EMBEDDING, [vocabSize, hidden]);
  if (arch.position === "learned") shapes.set(POSITION_EMBEDDING, [arch.maxPositions, hidden]);
  const normed = (prefix: string) => {
    shapes.set(`${prefix}.weight`, [hidden]);
    if (arch.norm === "layer") shapes.set(`${prefix}.bias`, [hidden]);
  };
  const matrix: Record<LayerRole, [number, number] | null> = {
    attn_norm: null,
    ffn_norm: null,
    attn_q: [heads * headDim, hidden],
    attn_k: [kvHeads * headDim, hidden],
    attn_v: [kvHeads * headDim, hidden],
    attn_output: [hidden, heads * headDim],
    ffn_gate: arch.gatedMlp ? [intermediate, hidden] : null,
    ffn_up: [intermediate, hidden],
    ffn_down: [hidden, intermediate],
  };
  const hasBias = (role: LayerRole) =>
    ((role === "attn_q" || role === "attn_k" || role === "attn_v") && arch.qkvBias) ||
    ((role === "attn_output" || role === "ffn_up" || role === "ffn_down") && arch.outputBias);
  for (let l = 0; l < arch.layers; l++) {
    for (const role of LAYER_ROLES) {
      if (role === "attn_norm" || role === "ffn_norm") {
        normed(`blk.${l}.${role}`);
        continue;
      }
      const shape = matrix[role];
      if (!shape) continue;
      shapes.set(layerTensor(l, role, "weight"), shape);
      if (hasBias(role)) shapes.set(layerTensor(l, role, "bias"), [shape[0]]);
    }
  }
  normed(OUTPUT_NORM);
  if (!arch.tiedEmbeddings) shapes.set(OUTPUT, [vocabSize, hidden]);
  return shapes;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws the layout error for a tensor whose shape is not the expected one. */
export function checkShape(name: string, expected: readonly number[], found: readonly number[]): void {
  if (sameShape(expected, found)) return;
  const transposed = expected.length === 2 && sameShape([expected[1], expected[0]], found);
  const isEmbedding = name === TOKEN_EMBEDDING || name === POSITION_EMBEDDING;
  const code = isEmbedding ? "LAYOUT_EMBEDDING_SHAPE" : expected.length === 2 ? "LAYOUT_WEIGHT_SHAPE" : "LAYOUT_VECTOR_SHAPE";
  const hint = transposed ? " (it is the transpose: a [in, out] layout where [out, in] is required)" : "";
  throw new RefuteError(code, `tensor ${name}: expected shape [${expected}], found [${found}]${hint}`, {
    tensor: name,
    expected: [...expected],
    found: [...found],
    transposed,
  });
}
