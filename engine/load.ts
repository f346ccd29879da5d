// Loading a model from wherever it lives: a zoo slug, a Hugging Face directory
// (config.json + tokenizer.json + SafeTensors), the engine's native .rft file, or a GGUF file.
// Every source ends as the same thing: an architecture, canonical tensors and a tokenizer.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RefuteError } from "../core/errors.ts";
import type { ByteAllocator } from "./formats/read-file.ts";
import { NO_HOOKS } from "./hooks.ts";
import { readSafeTensorsDir, safeTensorsFiles } from "./formats/safetensors/read.ts";
import type { Architecture } from "./model/architecture.ts";
import { architectureFromHfConfig } from "./model/config.ts";
import { endTokenIds } from "./model/end-tokens.ts";
import { canonicalFromHf, type ImportHooks } from "./model/hf-names.ts";
import { type ChatTemplate, chatTemplateFromConfig } from "./tokenizer/chat-template.ts";
import type { Tensor } from "./tensor.ts";

export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const ZOO_DIR = join(REPO_ROOT, "models", "zoo");

export interface SourceFile {
  path: string;
  bytes: number;
}

/** A model as loaded from disk, before its weights are arranged for the forward pass. */
export interface ModelSource {
  format: "safetensors" | "native" | "gguf";
  arch: Architecture;
  config: Record<string, unknown>; // the Hugging Face config.json content
  tensors: Map<string, Tensor>; // canonical names, [out, in]
  tokenizerJson: unknown; // tokenizer.json content
  chatTemplate: ChatTemplate | null; // tokenizer_config.json's chat_template, a GGUF's tokenizer.chat_template, an RFT header's
  endTokenIds: number[]; // where generation stops (model/end-tokens.ts): generation_config.json's, a GGUF's eos and eot, an RFT header's
  files: SourceFile[];
  details?: Record<string, unknown>; // format-specific facts: native provenance, GGUF metadata
}

export function readJsonFile(file: string): unknown {
  if (!existsSync(file)) throw new RefuteError("FILE_NOT_FOUND", `${file}: no such file`, { file });
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new RefuteError("BAD_JSON", `${file}: not valid JSON (${(e as Error).message})`, { file });
  }
}

/** A zoo slug or a path, resolved to an existing path. */
export function resolveModelPath(model: string): string {
  const zoo = join(ZOO_DIR, model);
  if (/^[a-z0-9][a-z0-9._-]*$/i.test(model) && existsSync(zoo)) return zoo;
  const path = resolve(model);
  if (!existsSync(path)) {
    throw new RefuteError("MODEL_NOT_FOUND", `${model}: neither a zoo model (models/zoo/) nor an existing path`, { model });
  }
  return path;
}

/** A Hugging Face directory's chat template (tokenizer_config.json); null without one. */
export function readChatTemplate(dir: string): ChatTemplate | null {
  const file = join(dir, "tokenizer_config.json");
  if (!existsSync(file)) return null;
  const config = readJsonFile(file);
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw new RefuteError("BAD_JSON", `${file}: not a JSON object`, { file });
  return chatTemplateFromConfig(config as Record<string, unknown>);
}

/** A Hugging Face directory's generation_config.json; null without one. */
function readGenerationConfig(file: string): Record<string, unknown> | null {
  if (!existsSync(file)) return null;
  const config = readJsonFile(file);
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw new RefuteError("BAD_JSON", `${file}: not a JSON object`, { file });
  return config as Record<string, unknown>;
}

export function loadHfDirectory(dir: string, hooks: ImportHooks = NO_HOOKS): ModelSource {
  const configFile = join(dir, "config.json");
  const config = readJsonFile(configFile) as Record<string, unknown>;
  const arch = architectureFromHfConfig(config, configFile);
  const tokenizerJson = readJsonFile(join(dir, "tokenizer.json"));
  const files = safeTensorsFiles(dir).map((path) => ({ path, bytes: statSync(path).size }));
  const generationFile = join(dir, "generation_config.json");
  const ends = endTokenIds(config, readGenerationConfig(generationFile), { config: configFile, generation: generationFile });
  return { format: "safetensors", arch, config, tensors: canonicalFromHf(arch, readSafeTensorsDir(dir), hooks), tokenizerJson, chatTemplate: readChatTemplate(dir), endTokenIds: ends, files };
}

export interface LoadOptions extends ImportHooks {
  /** Where a model file's bytes are read to (engine/formats/read-file.ts); default a fresh buffer. */
  allocate?: ByteAllocator;
}

export type SourceLoader = (path: string, options: LoadOptions) => ModelSource;

/** Loads any supported source; file formats register their loader by extension. */
export function loadModelSource(model: string, fileLoaders: Record<string, SourceLoader> = {}, options: LoadOptions = {}): ModelSource {
  const path = resolveModelPath(model);
  if (statSync(path).isDirectory()) return loadHfDirectory(path, options);
  const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  const loader = fileLoaders[extension];
  if (!loader) {
    throw new RefuteError("MODEL_UNKNOWN_FORMAT", `${path}: not a directory and not one of the known file types (${Object.keys(fileLoaders).map((e) => `.${e}`).join(", ") || "none"})`, {
      file: path,
    });
  }
  return loader(path, options);
}
