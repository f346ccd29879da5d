// --backend and --threads of the commands that run the engine (run, ppl, serve): which kernels, on how
// many threads, with a usage error naming the choices and a clear one where the backend cannot
// run here.

import { RefuteError } from "../core/errors.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import { createKernels, wasmThreads } from "../runtimes/backends.ts";
import { BACKENDS, isOneOf, type Backend } from "../core/vocabulary.ts";
import { BlockedError } from "../runtimes/runtime.ts";
import { positiveInteger, type Options, type Parsed } from "./args.ts";

export const BACKEND_OPTIONS: Options = { backend: { type: "string" }, threads: { type: "string" } };

export const BACKEND_HELP = `  --backend <b>  cpu (default: the fastest CPU backend, cpu-wasm where WebAssembly SIMD
                 exists, else cpu-ts), cpu-wasm, cpu-ts (the TypeScript reference) or cuda
  --threads <n>  threads of the cpu-wasm backend (default: REFUTE_THREADS, else every core)`;

/** --backend, default cpu; a name that is not a backend is a usage error listing the choices. */
export function parseBackend(values: Parsed["values"]): Backend {
  const backend = typeof values.backend === "string" ? values.backend : "cpu";
  if (!isOneOf(BACKENDS, backend)) throw new RefuteError("E_USAGE", `--backend: ${backend} is not one of ${BACKENDS.join(", ")}`, { option: "backend", found: backend });
  return backend;
}

/** The kernels the options ask for; close() them when done. */
export async function kernelsFromOptions(values: Parsed["values"]): Promise<Kernels> {
  const backend = parseBackend(values);
  const threads = positiveInteger(values, "threads", wasmThreads());
  try {
    return await createKernels(backend, threads);
  } catch (e) {
    if (e instanceof BlockedError) throw new RefuteError("BACKEND_UNAVAILABLE", e.reason, { option: "backend", found: backend });
    throw e;
  }
}
