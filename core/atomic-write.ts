// Writes a file whole or not at all: the content goes to a temporary file beside it (same
// directory, so the same filesystem), which is then renamed over the target. A reader sees the
// old file or the new one, never half of one, and a failed write leaves no temporary behind.
//
// The temporary name carries the pid and random bytes, so concurrent writers never share one;
// a process killed between writing and renaming leaves its temporary, which the next writer
// into that directory removes once that pid is no longer running (removeStaleTemporaries).

import { randomBytes } from "node:crypto";
import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

const TEMPORARY = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function temporaryName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
}

/** A file written beside its target, not yet in place: commit renames it over the target, abort removes it. */
export interface StagedFile {
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export async function stageAtomic(file: string, content: string | Uint8Array): Promise<StagedFile> {
  const temp = temporaryName(file);
  try {
    await writeFile(temp, content);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  return {
    commit: async () => {
      try {
        await rename(temp, file);
      } catch (e) {
        await rm(temp, { force: true });
        throw e;
      }
    },
    abort: () => rm(temp, { force: true }),
  };
}

export async function writeAtomic(file: string, content: string | Uint8Array): Promise<void> {
  await (await stageAtomic(file, content)).commit();
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

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, another user's
  }
}

/** Removes the temporaries in `dir` that processes no longer running left behind; returns their names. */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((n) => {
    const m = TEMPORARY.exec(n);
    return m !== null && Number(m[1]) !== process.pid && !running(Number(m[1]));
  });
  await Promise.all(stale.map((n) => rm(join(dir, n), { force: true })));
  return stale;
}

/** writeAtomicSync of a file given as pieces, written one after another: no buffer of the whole file (a GGUF past 2 GiB). */
export function writeAtomicPiecesSync(file: string, pieces: Iterable<Uint8Array>): void {
  const temp = temporaryName(file);
  try {
    const fd = openSync(temp, "w");
    try {
      for (const piece of pieces) for (let done = 0; done < piece.length; ) done += writeSync(fd, piece, done, piece.length - done);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
