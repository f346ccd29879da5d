// --backend and --threads of the commands that run the engine (run, ppl, serve, kv validate):
// which kernels, on how many threads, over the memory the model needs, with a clear error where
// the backend cannot run here.

import { Option, type Command } from "commander";
import { RefuteError } from "../core/errors.ts";
import { BACKENDS, type Backend } from "../core/vocabulary.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import { addressingFor } from "../engine/backends/wasm/module.ts";
import { createKernels } from "../runtimes/backends.ts";
import { sourceResidentBytes } from "../runtimes/source-resident-bytes.ts";
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

/**
 * The kernels the options ask for, with the memory that `model` needs once loaded as each of
 * `quants` (undefined: as the source is; refute serve loads one model per quant into the same
 * kernels): runtimes/source-resident-bytes.ts, and module.ts addressingFor: 64-bit past 3.5 GiB
 * where the runtime has it. close() them when done.
 */
export async function kernelsFor(options: BackendOptions, model?: string, quants: readonly (string | undefined)[] = [undefined]): Promise<Kernels> {
  const bytes = model === undefined ? 0 : quants.reduce((n, quant) => n + sourceResidentBytes(model, quant), 0);
  try {
    return await createKernels(options.backend, options.threads, addressingFor(bytes));
  } catch (e) {
    if (e instanceof BlockedError) throw new RefuteError("BACKEND_UNAVAILABLE", e.reason, { option: "backend", found: options.backend });
    throw e;
  }
}
