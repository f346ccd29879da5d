// How much of the kernels' memory a GGUF file takes once its model is built: the file itself
// (read straight into the memory; F32 and quantized weights are computed on where they lie)
// and a float32 copy of each F16 or BF16 tensor (two bytes more per byte of the tensor). It
// chooses the backend's memory before the file is read (module.ts addressingFor): a 2.2 GB F16
// file needs 6.6 GB, past a 32-bit memory, though its size alone is not.

import { statSync } from "node:fs";
import { readGgufHeaderFile } from "../engine/formats/gguf/file.ts";
import { ggmlTypeInfo } from "../engine/formats/gguf/ggml-types.ts";
import type { GgufHeader } from "../engine/formats/gguf/read.ts";

const COPIED_TO_FLOAT32 = new Set(["F16", "BF16"]);

/** Bytes of the header's F16 and BF16 tensors. */
function float16Bytes(header: GgufHeader): number {
  let bytes = 0;
  for (const info of header.infos) {
    const t = ggmlTypeInfo(info.type);
    if (t === undefined || !COPIED_TO_FLOAT32.has(t.name)) continue;
    bytes += (info.dims.reduce((n, d) => n * d, 1) / t.blockSize) * t.typeSize;
  }
  return bytes;
}

/** The file's size plus twice the bytes of its F16/BF16 tensors; the size alone where its header cannot be read (loading it then says why). */
export function residentBytes(file: string): number {
  let read: ReturnType<typeof readGgufHeaderFile>;
  try {
    read = readGgufHeaderFile(file);
  } catch {
    return statSync(file).size;
  }
  return read.size + 2 * float16Bytes(read.header);
}
