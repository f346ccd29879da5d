// The only file I/O of the GGUF format: read a whole file into memory and parse it, or write
// the bytes writeGguf produces. Tensor data of a read file are views into that one buffer.

import { readFileSync, writeFileSync } from "node:fs";
import { readGguf, type GgufFile } from "./read.ts";
import { writeGguf, type GgufWriteInput } from "./write.ts";

export function readGgufFile(path: string): GgufFile {
  return readGguf(readFileSync(path));
}

export function writeGgufFile(path: string, input: GgufWriteInput): void {
  writeFileSync(path, writeGguf(input));
}
