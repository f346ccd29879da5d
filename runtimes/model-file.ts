// Where a subject's GGUF file comes from, for runtimes that read files (llama.cpp) and for
// timing both runtimes on the same bytes:
//
//   - a path ending in .gguf: that file, as it is, for a check whose format (gguf) and quant are
//     the file's own (runtimes/gguf-weight-type.ts; any other is blocked, never run on it);
//   - synthetic:<shape>: a random-weight model with a real checkpoint's shape (bench/synthetic.ts,
//     which depends only on the engine), generated once under models/cache/synthetic/;
//   - anything else the engine opens (a zoo slug, an HF directory, an .rft file): the engine's
//     own export at the subject's quantization, cached under models/cache/gguf/ (ignored by git)
//     and named by the sha256 of its bytes, so a changed model or exporter never reuses a stale file.
//     The export is made once per process and model, quant and cache: a run asks for the file on
//     every request (llama.cpp's tokenize of each test string), and converting costs tens of ms.
//     So a model rewritten in place while one process runs is seen by the next process.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { ensureSyntheticGguf, SYNTHETIC_SHAPES } from "../bench/synthetic.ts";
import { writeAtomicSync } from "../core/atomic-write.ts";
import { prepareSource } from "../engine/convert.ts";
import { writeGguf } from "../engine/formats/gguf/write.ts";
import { REPO_ROOT } from "../engine/load.ts";
import { ggufFromSource } from "../engine/model/gguf-export.ts";
import type { Quantization } from "../engine/model/quantize.ts";
import type { RopeScaling } from "../engine/model/rope-scaling.ts";
import { modelLocation } from "../core/subject.ts";
import { FILE_QUANTS, isOneOf } from "../core/vocabulary.ts";
import { checkGgufFileIsSubject } from "./gguf-weight-type.ts";
import { BlockedError, type SubjectSpec } from "./runtime.ts";

export const GGUF_CACHE_DIR = join(REPO_ROOT, "models", "cache", "gguf");
export const SYNTHETIC_PREFIX = "synthetic:";


export function isSynthetic(model: string): boolean {
  return model.startsWith(SYNTHETIC_PREFIX);
}

/** The model's name without path or prefix, for file names and reports. */
export function modelName(model: string): string {
  if (isSynthetic(model)) return model.slice(SYNTHETIC_PREFIX.length);
  return basename(model).replace(/\.gguf$/i, "");
}

/** Why a file-reading runtime cannot run this subject as a GGUF file, or null when it can (a .gguf path, or the engine's export at the claim's quant). */
export function ggufRefusal(spec: Pick<SubjectSpec, "model" | "path" | "format" | "quant">): string | null {
  if (modelLocation(spec).toLowerCase().endsWith(".gguf")) return null;
  if (spec.format !== "gguf") return `format ${spec.format}: this runtime reads GGUF files only (name format gguf, and the engine exports the model at quant ${spec.quant})`;
  if (!isOneOf(FILE_QUANTS, spec.quant)) return `quant ${spec.quant}: the engine does not export GGUF at this type`;
  return null;
}

/** The GGUF file a file-reading runtime runs for this subject. */
export function ggufFor(spec: Pick<SubjectSpec, "model" | "path" | "format" | "quant">, cacheDir = GGUF_CACHE_DIR): string {
  return resolveGguf(spec, cacheDir).path;
}

/**
 * The GGUF file llama.cpp runs for this subject: ggufFor's, refused where llama.cpp would run
 * another model than the file describes. An engine export of a model with dynamic (NTK) RoPE
 * carries the scaling only as refute.rope_scaling, since llama.cpp has no type for it; llama.cpp
 * would run it with plain RoPE, so the check is blocked rather than run on another model.
 */
export function llamaCppGgufFor(spec: Pick<SubjectSpec, "model" | "path" | "format" | "quant">, cacheDir = GGUF_CACHE_DIR): string {
  const { path, ropeScaling } = resolveGguf(spec, cacheDir);
  if (ropeScaling?.type === "dynamic") {
    throw new BlockedError(`${spec.model}: rope_scaling dynamic (NTK) has no llama.cpp equivalent (llama.cpp's rope.scaling.type is none, linear, yarn or longrope); llama.cpp would run the GGUF with plain RoPE`);
  }
  return path;
}

/** The file, and the RoPE scaling of the model it was exported from (null: none, or a .gguf given as it is). */
function resolveGguf(spec: Pick<SubjectSpec, "model" | "path" | "format" | "quant">, cacheDir: string): { path: string; ropeScaling: RopeScaling | null } {
  const location = modelLocation(spec);
  if (location.toLowerCase().endsWith(".gguf")) {
    checkGgufFileIsSubject(location, spec);
    return { path: location, ropeScaling: null };
  }
  const refusal = ggufRefusal(spec);
  if (refusal !== null) throw new BlockedError(refusal);
  const quant = spec.quant as Quantization;
  const key = JSON.stringify([location, quant, cacheDir]);
  const made = exports.get(key);
  if (made && existsSync(made.path)) return made;
  if (isSynthetic(spec.model)) {
    const shape = modelName(spec.model);
    if (!SYNTHETIC_SHAPES[shape]) throw new BlockedError(`${spec.model}: no such synthetic shape (known: ${Object.keys(SYNTHETIC_SHAPES).join(", ")})`);
    return { path: ensureSyntheticGguf(shape, quant), ropeScaling: null };
  }
  const source = prepareSource(location, "native", quant);
  const bytes = writeGguf(ggufFromSource(source, modelName(spec.model), quant));
  const sha = createHash("sha256").update(bytes).digest("hex").slice(0, 16);
  const path = join(cacheDir, `${modelName(spec.model)}-${quant}-${sha}.gguf`);
  if (!existsSync(path)) {
    mkdirSync(cacheDir, { recursive: true });
    writeAtomicSync(path, bytes);
  }
  const resolved = { path, ropeScaling: source.arch.ropeScaling };
  exports.set(key, resolved);
  return resolved;
}

/** This process's engine exports: (location, quant, cache directory) -> the file and its model's RoPE scaling. */
const exports = new Map<string, { path: string; ropeScaling: RopeScaling | null }>();
