// What the runtimes need to know of a GGUF file before they read it, from its header alone and
// once per file (per identity: size, times, inode): its size, the bytes of its F16 and BF16
// tensors (float32 copies of them are made beside the file: resident-bytes.ts) and the type
// most of its matrices have (what the file is as a subject: gguf-weight-type.ts).

import { dominantMatrixTypeOf } from "../core/dominant-matrix-type.ts";
import { fileIdentity } from "../core/file-identity.ts";
import { readGgufHeaderFile } from "../engine/formats/gguf/file.ts";
import { ggmlTypeInfo, tensorBytes } from "../engine/formats/gguf/ggml-types.ts";
import type { GgufHeader } from "../engine/formats/gguf/read.ts";

export interface GgufFileSummary {
  size: number;
  /** bytes of the F16 and BF16 tensors */
  float16Bytes: number;
  /** lowercase ggml type name (f32, f16, q8_0, q4_k, ...); null where the file has no matrix (a vocabulary file) */
  matrixType: string | null;
}

const COPIED_TO_FLOAT32 = new Set(["F16", "BF16"]);

/** Bytes of the header's F16 and BF16 tensors. */
function float16Bytes(header: GgufHeader): number {
  let bytes = 0;
  for (const info of header.infos) {
    const t = ggmlTypeInfo(info.type);
    if (t === undefined || !COPIED_TO_FLOAT32.has(t.name)) continue;
    bytes += tensorBytes(t, info.dims);
  }
  return bytes;
}

/** The ggml type name (lowercase) most of the header's matrices have; null where it has none. */
export function dominantMatrixType(header: GgufHeader): string | null {
  return dominantMatrixTypeOf(header.infos.map((info) => ({ rank: info.dims.length, type: ggmlTypeInfo(info.type)?.name.toLowerCase() ?? `type ${info.type}` })));
}

const summaries = new Map<string, GgufFileSummary>();

/** The file's summary, its header read once per identity; throws what reading the header throws (a file that is no GGUF is not remembered). */
export function ggufFileSummary(file: string): GgufFileSummary {
  const identity = fileIdentity(file);
  let summary = summaries.get(identity);
  if (!summary) {
    const { header, size } = readGgufHeaderFile(file);
    summary = { size, float16Bytes: float16Bytes(header), matrixType: dominantMatrixType(header) };
    summaries.set(identity, summary);
  }
  return summary;
}
