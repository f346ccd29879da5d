// The only file I/O of the RFT format: read a whole file into memory and parse it, or write
// the bytes writeNative produces, whole or not at all. Tensor data of a read file are views into
// that one buffer (allocated by the caller when it gives `allocate`).

import { writeAtomicSync } from "../../../core/atomic-write.ts";
import { readFileInto, type ByteAllocator } from "../read-file.ts";
import { readNative, type NativeFile } from "./read.ts";
import { writeNative, type NativeWriteInput } from "./write.ts";

export function readNativeFile(path: string, allocate?: ByteAllocator): NativeFile {
  return readNative(readFileInto(path, allocate));
}

export function writeNativeFile(path: string, input: NativeWriteInput): void {
  writeAtomicSync(path, writeNative(input));
}
