// A subject: what one check runs on (model x format x quant x backend x runtime, and the
// fault injected into it). One key and one label for it, used by the subject cache, the
// runtimes' prepared-model caches and the reports alike, so "the same subject" means one
// thing everywhere.

import { isLlamaVocabulary, llamaVocabulary } from "./llama-vocabularies.ts";
import type { Backend, Format, Quant, RuntimeName } from "./vocabulary.ts";

/** One point of a claim's matrix: what a check runs on. */
export interface SubjectSpec {
  model: string; // the model's name: a zoo slug, a configured model's name, a synthetic shape, or a path's base name
  /** Where the model's files are, when its name is not a zoo slug or a synthetic shape (a configured model, a path). */
  path?: string;
  format: Format;
  quant: Quant;
  backend: Backend;
  runtime: RuntimeName;
  inject?: string; // a fault from the teeth catalogue; absent on a clean run
}

/** Every field that makes two subjects different, in a fixed order: equal keys, same subject. */
export function subjectKey(s: SubjectSpec): string {
  return JSON.stringify([s.model, s.path ?? null, s.format, s.quant, s.backend, s.runtime, s.inject ?? null]);
}

/** What a runtime opens for the subject's model: its path, a llama.cpp vocabulary's extracted file, or the name (a zoo slug, a synthetic shape). */
export const modelLocation = (s: Pick<SubjectSpec, "model" | "path">): string => s.path ?? (isLlamaVocabulary(s.model) ? llamaVocabulary(s.model).gguf : s.model);

/** The subject as a person reads it: "tiny-llama native q8_0 cpu embedded". */
export function subjectLabel(s: SubjectSpec): string {
  return `${s.model} ${s.format} ${s.quant} ${s.backend} ${s.runtime}` + (s.inject ? ` inject=${s.inject}` : "");
}

/** What a runtime that fronts one fixed model (a server, a command) actually provides. */
export interface ServedSubject {
  model: string;
  format: Format;
  quant: Quant;
  /** The id the runtime knows this subject by (a server's model name), when it serves several. */
  name?: string;
}

/** The served entry that is exactly this subject, if any. */
export const servedEntry = (served: readonly ServedSubject[] | undefined, spec: Pick<SubjectSpec, "model" | "format" | "quant">): ServedSubject | undefined =>
  served?.find((s) => s.model === spec.model && s.format === spec.format && s.quant === spec.quant);

export const describeServed = (s: ServedSubject) => `${s.model} ${s.format} ${s.quant}`;

/**
 * Why a runtime that serves exactly `served` cannot serve `spec`, or null when one of them is
 * it: model, format and quant all equal. `runtime` and `source` name the runtime and where its
 * list was declared, for the reason.
 */
export function refusalOf(runtime: string, served: readonly ServedSubject[] | undefined, source: string, spec: SubjectSpec): string | null {
  const asked = describeServed(spec);
  if (!served || served.length === 0) return `runtime ${runtime} declares no served subject (${source}); the check asks for ${asked}, and no other subject may stand in for it`;
  if (servedEntry(served, spec)) return null;
  return `runtime ${runtime} serves ${served.map(describeServed).join(", ")} (${source}); the check asks for ${asked}`;
}
