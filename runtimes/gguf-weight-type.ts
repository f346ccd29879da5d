// What a GGUF file given as it is holds: the type most of its weight matrices have (norms and
// biases are F32 in every mix; a Q4_0 file's output matrix may be Q6_K), read from its header.
// A check that names a quantization runs on such a file only where the file is that
// quantization: a Q4_0 file under a check that says f32 would be a verdict on another subject.

import { fileIdentity } from "../core/file-identity.ts";
import { readGgufHeaderFile } from "../engine/formats/gguf/file.ts";
import { ggmlTypeInfo } from "../engine/formats/gguf/ggml-types.ts";
import type { GgufHeader } from "../engine/formats/gguf/read.ts";
import { BlockedError, type SubjectSpec } from "./runtime.ts";

/** The ggml type name (lowercase: f32, f16, q8_0, q4_k, ...) most of the header's matrices have; null where it has none (a vocabulary file). */
export function dominantMatrixType(header: GgufHeader): string | null {
  const counts = new Map<string, number>();
  for (const info of header.infos) {
    if (info.dims.length !== 2) continue;
    const name = ggmlTypeInfo(info.type)?.name.toLowerCase() ?? `type ${info.type}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

const typeOfFile = new Map<string, string | null>();

/** The file's dominant matrix type, read once per file identity (size, times, inode). */
function fileWeightType(file: string): string | null {
  const identity = fileIdentity(file);
  if (!typeOfFile.has(identity)) typeOfFile.set(identity, dominantMatrixType(readGgufHeaderFile(file).header));
  return typeOfFile.get(identity) ?? null;
}

/**
 * Refuses (BlockedError) a check whose format or quantization is not the GGUF file's own: the
 * file runs as it is, never converted. A file that cannot be read is left to the load, which
 * reports why.
 */
export function checkGgufFileIsSubject(file: string, spec: Pick<SubjectSpec, "format" | "quant">): void {
  if (spec.format !== "gguf") throw new BlockedError(`${file} is a GGUF file; the check asks for format ${spec.format}, and a file given as it is runs only as what it is (format gguf)`);
  let type: string | null;
  try {
    type = fileWeightType(file);
  } catch {
    return;
  }
  if (type !== null && type !== spec.quant) {
    throw new BlockedError(`${file} holds ${type} weights; the check asks for quant ${spec.quant}, and a file given as it is runs only as what it is (quant ${type})`);
  }
}
