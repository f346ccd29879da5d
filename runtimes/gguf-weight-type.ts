// A GGUF file given as it is runs as what it is: a check that names a quantization runs on such
// a file only where the type most of its matrices have (gguf-file-summary.ts) is that
// quantization: a Q4_0 file under a check that says f32 would be a verdict on another subject.

import { ggufFileSummary } from "./gguf-file-summary.ts";
import { BlockedError, type SubjectSpec } from "./runtime.ts";

/**
 * Refuses (BlockedError) a check whose format or quantization is not the GGUF file's own: the
 * file runs as it is, never converted. A file that cannot be read is left to the load, which
 * reports why.
 */
export function checkGgufFileIsSubject(file: string, spec: Pick<SubjectSpec, "format" | "quant">): void {
  if (spec.format !== "gguf") throw new BlockedError(`${file} is a GGUF file; the check asks for format ${spec.format}, and a file given as it is runs only as what it is (format gguf)`);
  let type: string | null;
  try {
    type = ggufFileSummary(file).matrixType;
  } catch {
    return;
  }
  if (type !== null && type !== spec.quant) {
    throw new BlockedError(`${file} holds ${type} weights; the check asks for quant ${spec.quant}, and a file given as it is runs only as what it is (quant ${type})`);
  }
}
