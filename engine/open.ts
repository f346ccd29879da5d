// The one entry point that opens any model source and makes it runnable.

import { statSync } from "node:fs";
import type { Kernels } from "./backends/kernels.ts";
import { readGgufFile } from "./formats/gguf/file.ts";
import { loadModelSource, type LoadOptions, type ModelSource, type SourceLoader } from "./load.ts";
import { type EngineOptions, EngineModel } from "./model.ts";
import { sourceFromGguf } from "./model/gguf-import.ts";
import { readNativeFile } from "./formats/native/file.ts";
import { sourceFromNative } from "./model/native-convert.ts";

const FILE_LOADERS: Record<string, SourceLoader> = {
  rft: (path, options) => sourceFromNative(readNativeFile(path, options.allocate), [{ path, bytes: statSync(path).size }]),
  gguf: (path, options) => sourceFromGguf(readGgufFile(path, options.allocate), [{ path, bytes: statSync(path).size }], undefined, true), // the bytes just read are the source's alone
};

export function openSource(model: string, options: LoadOptions = {}): ModelSource {
  return loadModelSource(model, FILE_LOADERS, options);
}

/** Load options that read a model file straight into the memory of `kernels` where it has one. */
export function loadOptionsFor(kernels: Kernels | undefined): LoadOptions {
  return kernels?.allocateBytes ? { allocate: (bytes) => kernels.allocateBytes!(bytes) } : {};
}

export function openModel(model: string, kernels?: Kernels, options: EngineOptions = {}): EngineModel {
  return new EngineModel(openSource(model, loadOptionsFor(kernels)), kernels, undefined, options);
}
