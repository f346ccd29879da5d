// The one entry point that opens any model source and makes it runnable.

import { statSync } from "node:fs";
import type { Kernels } from "./backends/kernels.ts";
import { readGgufFile } from "./formats/gguf/file.ts";
import { loadModelSource, type ModelSource, type SourceLoader } from "./load.ts";
import { EngineModel } from "./model.ts";
import { sourceFromGguf } from "./model/gguf-import.ts";
import type { ImportOptions } from "./model/hf-names.ts";
import { readNativeFile } from "./formats/native/file.ts";
import { sourceFromNative } from "./model/native-convert.ts";

const FILE_LOADERS: Record<string, SourceLoader> = {
  rft: (path) => sourceFromNative(readNativeFile(path), [{ path, bytes: statSync(path).size }]),
  gguf: (path) => sourceFromGguf(readGgufFile(path), [{ path, bytes: statSync(path).size }]),
};

export function openSource(model: string, options: ImportOptions = {}): ModelSource {
  return loadModelSource(model, FILE_LOADERS, options);
}

export function openModel(model: string, kernels?: Kernels): EngineModel {
  return new EngineModel(openSource(model), kernels);
}
