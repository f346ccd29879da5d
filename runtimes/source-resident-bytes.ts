// How much of the kernels' memory a model of any source takes, told before it is loaded, so
// that the CLI's commands choose the backend's memory as the gates do after loading
// (embedded.ts): a GGUF file by its header (resident-bytes.ts); a Hugging Face directory (or a
// zoo slug) by its safetensors headers, every value becoming a float32 in the memory (4 bytes,
// whatever the file's dtype: a 2.2 GB BF16 TinyLlama takes 4.4 GB, past a 32-bit memory), or
// the blocks of --quant where one is given; any other file by its size. An estimate only: a
// header that cannot be read gives what its size says, and loading then says what is wrong.

import { closeSync, openSync, readSync, statSync } from "node:fs";
import { safeTensorsFiles } from "../engine/formats/safetensors/read.ts";
import { resolveModelPath } from "../engine/load.ts";
import { quantType } from "../engine/quant/types.ts";
import { residentBytes } from "./resident-bytes.ts";

/** A header longer than this is not read for an estimate (the reader refuses past 100 MiB). */
const MAX_HEADER_BYTES = 100 * 2 ** 20;

/** The values a safetensors file declares (the product of each tensor's shape); null where its header cannot be read. */
export function safeTensorsValueCount(file: string): number | null {
  const fd = openSync(file, "r");
  try {
    const prefix = Buffer.alloc(8);
    if (readSync(fd, prefix, 0, 8, 0) < 8) return null;
    const length = Number(prefix.readBigUInt64LE(0));
    if (length > MAX_HEADER_BYTES || length > statSync(file).size - 8) return null;
    const text = Buffer.alloc(length);
    if (readSync(fd, text, 0, length, 8) < length) return null;
    const header: unknown = JSON.parse(text.toString("utf8"));
    if (header === null || typeof header !== "object") return null;
    let values = 0;
    for (const [name, entry] of Object.entries(header)) {
      if (name === "__metadata__") continue;
      const shape = (entry as { shape?: unknown } | null)?.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return null;
      values += (shape as number[]).reduce((a, b) => a * b, 1);
    }
    return values;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Bytes of `values` values in the memory: float32, or the blocks of `quant`. */
function valueBytes(values: number, quant: string | undefined): number {
  if (quant === undefined) return 4 * values;
  const type = quantType(quant);
  return Math.ceil(values / type.blockSize) * type.bytesPerBlock;
}

/** The bytes of the kernels' memory `model` (a path or a zoo slug) takes once built, with `quant` applied where given; 0 where it cannot be told. */
export function sourceResidentBytes(model: string, quant?: string): number {
  let path: string;
  try {
    path = resolveModelPath(model);
  } catch {
    return 0;
  }
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.toLowerCase().endsWith(".gguf") ? residentBytes(path) : stat.size;
  let files: string[];
  try {
    files = safeTensorsFiles(path);
  } catch {
    return 0;
  }
  let bytes = 0;
  for (const file of files) {
    const values = safeTensorsValueCount(file);
    bytes += values === null ? statSync(file).size : valueBytes(values, quant);
  }
  return bytes;
}
