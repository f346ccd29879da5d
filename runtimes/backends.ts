// What a backend name stands for on this machine, for reports: "cpu" is the fastest CPU
// backend available, so a report says which one that was and with how many threads. Threads are
// passed as a value; the environment only gives the default (REFUTE_THREADS, read here alone).

import { availableParallelism } from "node:os";
import { cpuKernels } from "../engine/backends/cpu/kernels.ts";
import { createCudaKernels, probeCuda } from "../engine/backends/cuda/backend.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import { createWasmKernels } from "../engine/backends/wasm/kernels.ts";
import { type Addressing, bestKernelVariant, type KernelVariant, MAX_THREADS, MEMORY32_MODEL_BYTES, VARIANT_LABELS, wasmMemory64Available, wasmSimdAvailable } from "../engine/backends/wasm/module.ts";
import { BlockedError, type Backend } from "./runtime.ts";

/** A thread count from the environment: a positive integer, else none. */
export function threadsFrom(text: string | undefined): number | undefined {
  const threads = Number(text);
  return Number.isSafeInteger(threads) && threads > 0 ? threads : undefined;
}

/** REFUTE_THREADS, the environment's thread count for every runtime, when it is set. */
export function threadsOverride(env: Record<string, string | undefined> = process.env): number | undefined {
  return threadsFrom(env.REFUTE_THREADS);
}

/** REFUTE_THREADS, else every core (at most the MAX_THREADS the kernels' scratch holds): the cpu-wasm backend's default worker count (main thread included). */
export function wasmThreads(env: Record<string, string | undefined> = process.env): number {
  return threadsOverride(env) ?? Math.min(availableParallelism(), MAX_THREADS);
}

/** The kernels' name with what they run on: "cpu-wasm (relaxed SIMD, revectorized to 256 bits)", "cpu-wasm (WebAssembly SIMD, memory64)", "cpu-ts". */
export function describeKernels(kernels: Kernels): string {
  const { variant, addressing } = kernels as { variant?: KernelVariant; addressing?: Addressing };
  if (variant === undefined) return kernels.name;
  return `${kernels.name} (${VARIANT_LABELS[variant]}${addressing === "memory64" ? ", memory64" : ""})`;
}

/**
 * What the backend stands for here, with the cpu-wasm backend's threads (default wasmThreads())
 * and kernels: "relaxed SIMD, revectorized to 256 bits" where the runtime revectorizes (Node 24 on
 * x64 with AVX2), "relaxed SIMD" where it validates them (Node 24), else "WebAssembly SIMD".
 */
export function describeBackend(backend: Backend, threads = wasmThreads()): string {
  const kernels = VARIANT_LABELS[bestKernelVariant()];
  const wide = wasmMemory64Available() ? `; memory64 for models over ${MEMORY32_MODEL_BYTES / 2 ** 30} GiB` : "";
  const wasm = `cpu-wasm (${kernels}, ${threads} thread${threads > 1 ? "s" : ""}${wide})`;
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

/**
 * The kernels a backend name stands for. "cpu" is the fastest CPU backend available: the
 * WebAssembly SIMD one, or the TypeScript reference where WebAssembly SIMD is missing.
 * threads: the WebAssembly backend's (default REFUTE_THREADS, else all cores); addressing: its
 * memory (module.ts addressingFor). A backend that cannot run here is a BlockedError with the reason.
 */
export async function createKernels(backend: Backend, threads = wasmThreads(), addressing: Addressing = "memory32"): Promise<Kernels> {
  switch (backend) {
    case "cpu-ts":
      return cpuKernels;
    case "cpu":
      return wasmSimdAvailable() ? createWasmKernels({ threads, addressing }) : cpuKernels;
    case "cpu-wasm":
      if (!wasmSimdAvailable()) throw new BlockedError("backend cpu-wasm: this Node.js has no WebAssembly SIMD or shared memory");
      return createWasmKernels({ threads, addressing });
    case "cuda": {
      const probe = probeCuda();
      if (!probe.available) throw new BlockedError(`backend cuda: no CUDA device (${probe.reason})`);
      return createCudaKernels();
    }
  }
}
