// The only file I/O of the RFT format: read a whole file into memory and parse it, or write
// the bytes writeNative produces.

import { readFileSync, writeFileSync } from "node:fs";
import { readNative, type NativeFile } from "./read.ts";
import { writeNative, type NativeWriteInput } from "./write.ts";

export function readNativeFile(path: string): NativeFile {
  return readNative(readFileSync(path));
}

export function writeNativeFile(path: string, input: NativeWriteInput): void {
  writeFileSync(path, writeNative(input));
}
