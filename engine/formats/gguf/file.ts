// The only file I/O of the GGUF format: read a whole file into memory and parse it, or write
// the pieces ggufPieces produces (no buffer of the whole file, so past 2 GiB too), whole or
// not at all. Tensor data of a read file are views into
// that one buffer (allocated by the caller when it gives `allocate`).

import { writeAtomicPiecesSync } from "../../../core/atomic-write.ts";
import { readFileInto, type ByteAllocator } from "../read-file.ts";
import { readGguf, type GgufFile } from "./read.ts";
import { ggufPieces, type GgufWriteInput } from "./write.ts";

export function readGgufFile(path: string, allocate?: ByteAllocator): GgufFile {
  return readGguf(readFileInto(path, allocate));
}

export function writeGgufFile(path: string, input: GgufWriteInput): void {
  writeAtomicPiecesSync(path, ggufPieces(input));
}
