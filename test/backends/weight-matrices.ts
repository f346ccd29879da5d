// Every weight matrix a loaded model keeps, each once (a tied head is the embedding), by
// mapWeights' own walk over the weights.

import type { EngineModel } from "../../engine/model.ts";
import { mapWeights, type Matrix } from "../../engine/model/weights.ts";

export function weightMatrices(model: EngineModel): Matrix[] {
  const all: Matrix[] = [];
  mapWeights(model.weights, (w) => (all.push(w), w), (v) => v);
  return all;
}
