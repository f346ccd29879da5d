// --backend and --threads of the commands that run the engine (run, ppl, serve): which kernels,
// on how many threads, with a clear error where the backend cannot run here.

import { Option, type Command } from "commander";
import { RefuteError } from "../core/errors.ts";
import { BACKENDS, type Backend } from "../core/vocabulary.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import { createKernels } from "../runtimes/backends.ts";
import { BlockedError } from "../runtimes/runtime.ts";
import { positiveInteger } from "./options.ts";

export interface BackendOptions {
  backend: Backend;
  threads?: number;
}

/** Adds --backend and --threads to a command. */
export function withBackendOptions(command: Command): Command {
  return command
    .addOption(new Option("--backend <name>", "the engine's kernels: cpu is the fastest CPU backend here (cpu-wasm where WebAssembly SIMD exists, else cpu-ts, the TypeScript reference)").choices(BACKENDS).default("cpu"))
    .addOption(new Option("--threads <n>", "threads of the cpu-wasm backend (default: REFUTE_THREADS, else every core)").argParser(positiveInteger));
}

/** The kernels the options ask for; close() them when done. */
export async function kernelsFor(options: BackendOptions): Promise<Kernels> {
  try {
    return await createKernels(options.backend, options.threads);
  } catch (e) {
    if (e instanceof BlockedError) throw new RefuteError("BACKEND_UNAVAILABLE", e.reason, { option: "backend", found: options.backend });
    throw e;
  }
}
