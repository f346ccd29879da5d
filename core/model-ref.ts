// What a model name in a claim or on the command line stands for. Four kinds of name:
//
//   tiny-llama                    a zoo model (models/zoo/<slug>)
//   synthetic:smollm-135m-shape   a random-weight model of a real checkpoint's shape
//   mine                          a model of the project config (refute.config.yaml `models:`)
//   /tmp/mine, ./m.gguf           a path: a Hugging Face directory, a .gguf or an .rft file
//
// A subject carries the name (reports, oracle lookups: <oracle>/<name>/...) and, for the last
// two, the path its runtime opens. A path's name is its base name without the extension, the
// name `pnpm oracle --model PATH` writes its records under. Looks at the file system only.

import { isLlamaVocabulary, LLAMA_VOCAB_PREFIX } from "./llama-vocabularies.ts";
import { existsSync, readdirSync } from "node:fs";
import { basename, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProjectConfig } from "./config.ts";
import { SYNTHETIC_PREFIX, SYNTHETIC_SHAPES } from "./vocabulary.ts";

const ZOO_DIR = fileURLToPath(new URL("../models/zoo/", import.meta.url));

/** The zoo's model slugs: the directories of models/zoo/. */
export function zooModels(): string[] {
  return readdirSync(ZOO_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** A model named by path rather than by name: it has a separator or a model file's extension. */
export const isModelPath = (model: string): boolean => /[\\/]/.test(model) || /\.(gguf|rft|safetensors)$/i.test(model);

/** The name a path's model goes by: its base name without a model file's extension. */
export const nameOfPath = (path: string): string => basename(path.replace(/[\\/]+$/, "")).replace(/\.(gguf|rft)$/i, "");

export interface ModelRef {
  model: string; // the name
  path?: string; // where its files are (configured models and paths)
}

/** The name and location of `name`; a configured model's name wins over a path of the same spelling. */
export function locateModel(name: string, config: Pick<ProjectConfig, "models">): ModelRef {
  const configured = config.models[name];
  if (configured) return { model: name, path: configured.path };
  if (isModelPath(name)) return { model: nameOfPath(name), path: resolve(name) };
  return { model: name };
}

/**
 * Null when `name` names a model that exists, else what was expected: a zoo slug, a synthetic
 * shape, a configured model (whose path exists) or an existing path.
 */
export function modelProblem(name: string, config: Pick<ProjectConfig, "models" | "file">, zoo = zooModels()): string | null {
  const shapes = SYNTHETIC_SHAPES.map((s) => SYNTHETIC_PREFIX + s);
  if (name.startsWith(SYNTHETIC_PREFIX)) return (shapes as string[]).includes(name) ? null : `a synthetic shape among ${shapes.join(", ")}`;
  // llama.cpp's vocabularies come from node-llama-cpp's source bundle, checked when a check runs (blocked where it is missing)
  if (isLlamaVocabulary(name)) return /^[a-z0-9][a-z0-9.-]*$/.test(name.slice(LLAMA_VOCAB_PREFIX.length)) ? null : `llama-vocab:<name of a llama.cpp vocabulary>`;
  const configured = config.models[name];
  if (configured) return existsSync(configured.path) ? null : `model '${name}' of ${config.file} at an existing path (${configured.path} does not exist)`;
  if (isModelPath(name)) return existsSync(name) ? null : "an existing model directory or file";
  if (zoo.includes(name)) return null;
  const names = Object.keys(config.models);
  return `a zoo model (${zoo.join(", ")})${names.length ? `, a model of ${config.file} (${names.join(", ")})` : ""}, a synthetic shape (${shapes.join(", ")}) or a path`;
}
