// Every weight matrix a loaded model keeps, each once (a tied head is the embedding).

import type { EngineModel } from "../../engine/model.ts";
import type { Matrix } from "../../engine/model/weights.ts";

export function weightMatrices(model: EngineModel): Matrix[] {
  const { tokenEmbedding, layers, output } = model.weights;
  const all = new Set<Matrix>([tokenEmbedding]);
  for (const l of layers) for (const linear of [l.q, l.k, l.v, l.o, l.gate, l.up, l.down]) if (linear) all.add(linear.weight);
  all.add(output);
  return [...all];
}
