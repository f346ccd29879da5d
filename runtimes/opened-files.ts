// Model files opened once per process into a cpu-wasm backend of their own, shared by every
// embedded runtime that runs the same file on the same backend and threads. A file the engine
// runs as it is (a GGUF, a synthetic shape) is read straight into the kernels' memory, and no
// fault's hooks touch those bytes (they act on the model built over them, or on the kernels
// through a wrapper), so the same opened source serves every runtime. A teeth run makes a
// runtime per fault, and reading the 1.6 GB synthetic Qwen2-1.5B shape into a fresh memory
// cost about 5 s of each fault's pass.
//
// A runtime acquires an opened file and gives it back when it closes. One that no runtime
// holds stays open while the files open fit KEPT_BYTES (least recently given back closed
// first); one in use is never closed. A file changed since it was opened (its identity: size,
// times, inode) is opened again.

import { fileIdentity } from "../core/file-identity.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import { addressingFor } from "../engine/backends/wasm/module.ts";
import type { ModelSource } from "../engine/load.ts";
import { loadOptionsFor, openSource } from "../engine/open.ts";
import { createKernels } from "./backends.ts";
import { residentBytes } from "./resident-bytes.ts";

/** Bytes of files kept open while no runtime holds them. */
export const KEPT_BYTES = 2 * 2 ** 30;

export interface OpenedFile {
  readonly kernels: Kernels;
  readonly source: ModelSource;
}

interface Entry {
  readonly opened: Promise<OpenedFile>;
  readonly bytes: number;
  users: number;
}

const entries = new Map<string, Entry>();

/** The backends this pool serves: those whose kernels are a memory of their own (cpu-wasm; cpu where it resolves to it). */
export function poolable(backend: string): backend is "cpu" | "cpu-wasm" {
  return backend === "cpu" || backend === "cpu-wasm";
}

async function open(file: string, backend: "cpu" | "cpu-wasm", threads: number, bytes: number): Promise<OpenedFile> {
  const kernels = await createKernels(backend, threads, addressingFor(bytes));
  try {
    return { kernels, source: openSource(file, loadOptionsFor(kernels)) };
  } catch (e) {
    await kernels.close?.();
    throw e;
  }
}

/** Closes files no runtime holds, least recently given back first, until those left fit `keptBytes`. */
function closeIdleBeyondBudget(keptBytes: number): void {
  let idle = [...entries.values()].filter((e) => e.users === 0).reduce((n, e) => n + e.bytes, 0);
  for (const [key, e] of entries) {
    if (idle <= keptBytes) break;
    if (e.users > 0) continue;
    entries.delete(key);
    idle -= e.bytes;
    void e.opened.then((o) => o.kernels.close?.()).catch(() => undefined);
  }
}

/** The file opened into its own backend; give it back with `release` when done. */
export function acquireOpenedFile(file: string, backend: "cpu" | "cpu-wasm", threads: number): { key: string; opened: Promise<OpenedFile> } {
  const identity = fileIdentity(file);
  const key = JSON.stringify([identity, backend, threads]);
  let entry = entries.get(key);
  if (entry) {
    entries.delete(key);
  } else {
    const bytes = residentBytes(file);
    entry = { opened: open(file, backend, threads, bytes), bytes, users: 0 };
    // a file that cannot be opened is not kept: the next runtime tries again and reports why
    entry.opened.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
  }
  entry.users++;
  entries.set(key, entry);
  return { key, opened: entry.opened };
}

/** Gives back an opened file a runtime acquired; idle files are then closed beyond `keptBytes`. */
export function releaseOpenedFile(key: string, keptBytes = KEPT_BYTES): void {
  const entry = entries.get(key);
  if (!entry) return;
  entry.users = Math.max(0, entry.users - 1);
  if (entry.users === 0) {
    // least recently given back first
    entries.delete(key);
    entries.set(key, entry);
  }
  closeIdleBeyondBudget(keptBytes);
}

/** How many files are open now (tests). */
export function openedFileCount(): number {
  return entries.size;
}
