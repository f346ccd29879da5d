// What a backend name stands for on this machine, for reports: "cpu" is the fastest CPU
// backend available, so a report says which one that was and with how many threads.

import { availableParallelism } from "node:os";
import { wasmSimdAvailable } from "../engine/backends/wasm/module.ts";
import type { Backend } from "./runtime.ts";

/** REFUTE_THREADS, else every core: the cpu-wasm backend's worker count (main thread included). */
export function wasmThreads(): number {
  const threads = Number(process.env.REFUTE_THREADS);
  return Number.isInteger(threads) && threads > 0 ? threads : availableParallelism();
}

export function describeBackend(backend: Backend): string {
  const wasm = `cpu-wasm (WebAssembly SIMD, ${wasmThreads()} thread${wasmThreads() > 1 ? "s" : ""})`;
  switch (backend) {
    case "cpu":
      return wasmSimdAvailable() ? `cpu = ${wasm}` : "cpu = cpu-ts (this Node.js has no WebAssembly SIMD)";
    case "cpu-wasm":
      return wasmSimdAvailable() ? wasm : "cpu-wasm (unavailable: no WebAssembly SIMD)";
    case "cpu-ts":
      return "cpu-ts (TypeScript reference, 1 thread)";
    case "cuda":
      return "cuda";
  }
}
