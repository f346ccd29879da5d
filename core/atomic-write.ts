// Writes a file whole or not at all: the content goes to a temporary file beside it (same
// directory, so the same filesystem), which is then renamed over the target. A reader sees the
// old file or the new one, never half of one, and a failed write leaves no temporary behind.
//
// The temporary name carries the pid and random bytes, so concurrent writers never share one.

import { randomBytes } from "node:crypto";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";

function temporaryName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
}

export async function writeAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const temp = temporaryName(file);
  try {
    await writeFile(temp, content);
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/** writeAtomic for synchronous callers (the engine's file writers, the GGUF cache). */
export function writeAtomicSync(file: string, content: string | Uint8Array): void {
  const temp = temporaryName(file);
  try {
    writeFileSync(temp, content);
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
