// A whole model file read into a buffer that the caller chooses: a fresh one by default. A
// backend that computes in memory of its own (cpu-wasm) passes a buffer there, so the weights
// that are views of the file are already where the kernels read them: no second copy, and a
// peak of one file's size while loading instead of two.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { RefuteError } from "../../core/errors.ts";

/** Returns a writable buffer of exactly `bytes` bytes. */
export type ByteAllocator = (bytes: number) => Uint8Array;

/** The most one read asks for: fs.readSync refuses lengths past 2^31 - 1 (a 4.4 GB model file is read in pieces). */
export const READ_CHUNK_BYTES = 2 ** 30;

/** Fills `bytes` from the file's start, `chunkBytes` a read at most; FILE_TRUNCATED where the file ends first. */
function readStart(fd: number, path: string, size: number, bytes: Uint8Array, chunkBytes: number): void {
  for (let at = 0; at < bytes.length; ) {
    const read = readSync(fd, bytes, at, Math.min(bytes.length - at, chunkBytes), at);
    if (read === 0) throw new RefuteError("FILE_TRUNCATED", `${path}: ended after ${at} of its ${size} bytes while being read`, { file: path, expected: size, found: at });
    at += read;
  }
}

/** Opens the file, reads into the buffer `allocate` gives for its size (the whole file, or its start for a shorter buffer), and returns `result` of the bytes and the size. */
function readOpen<T>(path: string, allocate: (size: number) => Uint8Array, chunkBytes: number, result: (bytes: Uint8Array, size: number) => T): T {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const bytes = allocate(size);
    readStart(fd, path, size, bytes, chunkBytes);
    return result(bytes, size);
  } finally {
    closeSync(fd);
  }
}

export function readFileInto(path: string, allocate: ByteAllocator = (bytes) => new Uint8Array(bytes), chunkBytes = READ_CHUNK_BYTES): Uint8Array {
  return readOpen(path, allocate, chunkBytes, (bytes) => bytes);
}

/** The first min(size, `most`) bytes of a file (a header read without the rest), and the file's size. */
export function readFilePrefix(path: string, most: number): { bytes: Uint8Array; size: number } {
  return readOpen(path, (size) => new Uint8Array(Math.min(size, most)), READ_CHUNK_BYTES, (bytes, size) => ({ bytes, size }));
}
