// How much of the kernels' memory a GGUF file takes once its model is built: the file itself
// (read straight into the memory; F32 and quantized weights are computed on where they lie)
// and a float32 copy of each F16 or BF16 tensor (two bytes more per byte of the tensor). It
// chooses the backend's memory before the file is read (module.ts addressingFor): a 2.2 GB F16
// file needs 6.6 GB, past a 32-bit memory, though its size alone is not.

import { statSync } from "node:fs";
import { ggufFileSummary } from "./gguf-file-summary.ts";

/** The file's size plus twice the bytes of its F16/BF16 tensors; the size alone where its header cannot be read (loading it then says why). */
export function residentBytes(file: string): number {
  try {
    const { size, float16Bytes } = ggufFileSummary(file);
    return size + 2 * float16Bytes;
  } catch {
    return statSync(file).size;
  }
}
