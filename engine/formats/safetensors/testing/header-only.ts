// A safetensors file of a header alone (no data section), for tests of what reads headers only
// (the memory estimate): it can declare tensors far larger than the file.

import { writeFileSync } from "node:fs";

/** Writes the 8-byte little-endian length and the header's JSON to `file`. */
export function writeHeaderOnlySafeTensors(file: string, header: Record<string, unknown>): void {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([length, json]));
}
