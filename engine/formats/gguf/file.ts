// The only file I/O of the GGUF format: read a whole file into memory and parse it, or its
// header alone from the file's first bytes, or write the pieces ggufPieces produces (no buffer
// of the whole file, so past 2 GiB too), whole or not at all. Tensor data of a read file are
// views into that one buffer (allocated by the caller when it gives `allocate`).

import { writeAtomicPiecesSync } from "../../../core/atomic-write.ts";
import { isRefuteError } from "../../../core/errors.ts";
import { readFileInto, readFilePrefix, type ByteAllocator } from "../read-file.ts";
import { readGguf, readGgufHeader, type GgufFile, type GgufHeader } from "./read.ts";
import { ggufPieces, type GgufWriteInput } from "./write.ts";

export function readGgufFile(path: string, allocate?: ByteAllocator): GgufFile {
  return readGguf(readFileInto(path, allocate));
}

/** The most a header is read from: a vocabulary of 150,000 tokens and its merges take about 10 MiB. */
export const GGUF_HEADER_MAX_BYTES = 64 * 2 ** 20;

/**
 * A GGUF file's header, read from its first bytes only: 1 MiB, doubled while the header goes
 * on past them, up to `most` (a GGUF_* error, such as GGUF_TRUNCATED, where it does not end
 * within those); and the file's size.
 */
export function readGgufHeaderFile(path: string, most = GGUF_HEADER_MAX_BYTES): { header: GgufHeader; size: number } {
  for (let ask = Math.min(2 ** 20, most); ; ask = Math.min(2 * ask, most)) {
    const { bytes, size } = readFilePrefix(path, ask);
    try {
      return { header: readGgufHeader(bytes), size };
    } catch (e) {
      // A prefix that ends inside the header fails as a file cut there would (a truncated value,
      // a string or count longer than what follows): read more while there is more, and let the
      // whole header's own error through (a malformed one fails the same way at every length).
      const more = isRefuteError(e) && bytes.length < size && ask < most;
      if (!more) throw e;
    }
  }
}

export function writeGgufFile(path: string, input: GgufWriteInput): void {
  writeAtomicPiecesSync(path, ggufPieces(input));
}
