// The one entry point that opens any model source and makes it runnable.

import type { Kernels } from "./backends/kernels.ts";
import { loadModelSource, type ModelSource } from "./load.ts";
import { EngineModel } from "./model.ts";

export function openSource(model: string): ModelSource {
  return loadModelSource(model, {});
}

export function openModel(model: string, kernels?: Kernels): EngineModel {
  return new EngineModel(openSource(model), kernels);
}
