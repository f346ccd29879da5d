// The compiled kernel module: kernels.wat assembled by WABT (the WebAssembly Binary Toolkit,
// through its npm build) and compiled once per process, in one of three variants: "simd" (the
// SIMD proposal every Node since 16 has), "relaxed" (kernels-relaxed.wat's functions in place
// of their namesakes, where the runtime validates the relaxed SIMD proposal: Node 24) or
// "revec" (the relaxed kernels with kernels-revec.wat's products, compiled with V8's
// revectorization where the runtime has it: Node 24 on x64 with AVX2, revectorize.ts), each
// over a 32-bit memory or, where the runtime has the memory64 proposal (Node 24), a 64-bit one
// (wat-memory64.ts rewrites the text). The .wasm is never written to disk or
// committed; the text is the source of truth.

import { readFileSync } from "node:fs";
import { enableRevectorization, revectorizationAvailable } from "./revectorize.ts";
import { memory64Text } from "./wat-memory64.ts";
import { replaceFunctions } from "./wat-splice.ts";

/** Names of the module's exports that the thread pool can run, by op code (index). 0 = stop. */
export const POOL_OPS = ["", "matvec_f32", "matvec_q8_0", "matvec_q4_0", "matvec_q4_k", "matvec_q6_k", "attention", "matvec_multi", "matmul", "attention_tokens", "quantize_tokens", "swiglu_range"] as const;
export type PoolOp = Exclude<(typeof POOL_OPS)[number], "">;

/** Byte offset of the f16 table (65536 f32) the kernels read half scales through. */
export const FP16_TABLE_OFFSET = 65536;
/** First byte after the fixed regions: the arena starts here. */
export const ARENA_START = FP16_TABLE_OFFSET + 65536 * 4;

type Wabt = Awaited<ReturnType<typeof import("wabt")>>;
let wabt: Promise<Wabt> | null = null;

/** WABT is loaded on first use: most commands never need the WebAssembly backend. */
function loadWabt(): Promise<Wabt> {
  wabt ??= import("wabt").then((m) => (m.default as unknown as typeof import("wabt"))());
  return wabt;
}

/**
 * WebAssembly text -> binary, with the SIMD and threads proposals enabled. Validation is left
 * to WebAssembly.Module, the engine that will run it (WABT's validator rejects shared memory).
 */
export async function assembleWat(text: string, file = "kernels.wat"): Promise<Uint8Array<ArrayBuffer>> {
  const module = (await loadWabt()).parseWat(file, text, { simd: true, threads: true, relaxed_simd: true, memory64: true });
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** Which kernels a module holds: the SIMD proposal's alone, with the relaxed ones, or with those and the products written for the revectorizer. */
export type KernelVariant = "simd" | "relaxed" | "revec";

/** How a variant reads in a backend's description. */
export const VARIANT_LABELS: Record<KernelVariant, string> = {
  simd: "WebAssembly SIMD",
  relaxed: "relaxed SIMD",
  revec: "relaxed SIMD, revectorized to 256 bits",
};

/** Threads a backend can have: each has 256 bytes of scratch from byte 4096 up to the f16 table (kernels.wat's set_thread). */
export const MAX_THREADS = (FP16_TABLE_OFFSET - 4096) / 256;

const readKernelText = (file: string): string => readFileSync(new URL(`./${file}`, import.meta.url), "utf8");

/** The memory the kernels address: one 32-bit memory (at most 4 GiB), or a 64-bit one. */
export type Addressing = "memory32" | "memory64";

/** 16 GiB: the most V8 gives a 64-bit memory (its wasm_max_mem_pages for memory64). */
export const MEMORY64_MAX_PAGES = 262144;
export const MEMORY32_MAX_PAGES = 65536;
export const maxPages = (addressing: Addressing) => (addressing === "memory64" ? MEMORY64_MAX_PAGES : MEMORY32_MAX_PAGES);

/** The module's text: kernels.wat, with kernels-relaxed.wat's functions spliced in for "relaxed" and "revec" (then kernels-revec.wat's for "revec"), rewritten for a 64-bit memory for "memory64". */
export function kernelText(variant: KernelVariant, addressing: Addressing = "memory32"): string {
  const base = readKernelText("kernels.wat");
  const relaxed = variant === "simd" ? base : replaceFunctions(base, readKernelText("kernels-relaxed.wat"));
  const text = variant === "revec" ? replaceFunctions(relaxed, readKernelText("kernels-revec.wat")) : relaxed;
  return addressing === "memory64" ? memory64Text(text, MEMORY64_MAX_PAGES) : text;
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

export function kernelModule(variant: KernelVariant, addressing: Addressing = "memory32"): Promise<WebAssembly.Module> {
  const key = `${variant}-${addressing}`;
  let module = compiled.get(key);
  if (!module) {
    module = assembleWat(kernelText(variant, addressing), `kernels-${key}.wat`).then((bytes) => {
      if (variant === "revec") enableRevectorization();
      return new WebAssembly.Module(bytes);
    });
    compiled.set(key, module);
  }
  return module;
}

/** The shared memory the kernels import, `pages` of 64 KiB to start with (a 64-bit memory takes its limits as BigInt). */
export function kernelMemory(addressing: Addressing, pages: number): WebAssembly.Memory {
  if (addressing === "memory32") return new WebAssembly.Memory({ initial: pages, maximum: MEMORY32_MAX_PAGES, shared: true });
  const descriptor = { initial: BigInt(pages), maximum: BigInt(MEMORY64_MAX_PAGES), shared: true, address: "i64" };
  return new WebAssembly.Memory(descriptor as unknown as WebAssembly.MemoryDescriptor);
}

/** Grows a kernel memory by `pages` (a 64-bit memory counts them as BigInt). */
export function growMemory(memory: WebAssembly.Memory, addressing: Addressing, pages: number): void {
  if (addressing === "memory32") memory.grow(pages);
  else (memory as unknown as { grow(delta: bigint): bigint }).grow(BigInt(pages));
}

/** SIMD_PROBE_WAT assembled (a test checks these bytes against WABT's output). */
export const SIMD_PROBE_WAT = "(module (func (drop (v128.const i32x4 0 0 0 0))))";
export const SIMD_PROBE = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 23, 1, 21, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 26, 11]);

/** Whether this runtime has WebAssembly SIMD and shared memory (threads). */
export function wasmSimdAvailable(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE) && new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** RELAXED_PROBE_WAT assembled (a test checks these bytes against WABT's output). */
export const RELAXED_PROBE_WAT =
  "(module (func (drop (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0)))))";
export const RELAXED_PROBE = Uint8Array.from([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 62, 1, 60, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 147, 2, 26, 11,
]);

/** Whether this runtime validates the relaxed SIMD proposal (Node 24 by default; Node 20 does not). */
export function wasmRelaxedSimdAvailable(): boolean {
  return WebAssembly.validate(RELAXED_PROBE);
}

/** MEMORY64_PROBE_WAT assembled (a test checks these bytes against WABT's output). */
export const MEMORY64_PROBE_WAT = "(module (memory i64 1))";
export const MEMORY64_PROBE = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 4, 1]);

let memory64: boolean | undefined;

/** Whether this runtime has 64-bit shared memories (the memory64 proposal: Node 24 by default; Node 20 has none); probed once, by making one. */
export function wasmMemory64Available(): boolean {
  if (memory64 === undefined) {
    try {
      memory64 = WebAssembly.validate(MEMORY64_PROBE) && kernelMemory("memory64", 1).buffer instanceof SharedArrayBuffer;
    } catch {
      memory64 = false;
    }
  }
  return memory64;
}

/**
 * Weights of up to this many bytes go in a 32-bit memory: 4 GiB less room for the activations,
 * KV cache and scratch of a long context. A 64-bit memory's bounds checks cost its products
 * 19-30% (measured on Node 24, one thread, f32 to Q4_K), so it is taken only where it is needed.
 */
export const MEMORY32_MODEL_BYTES = 3.5 * 2 ** 30;

/** The memory for a model of `bytes` weight bytes: 32-bit while it fits, else 64-bit where the runtime has it (else 32-bit, which refuses the model with WASM_MEMORY). */
export function addressingFor(bytes: number): Addressing {
  return bytes > MEMORY32_MODEL_BYTES && wasmMemory64Available() ? "memory64" : "memory32";
}

/** Every variant this runtime can run, from the SIMD one to the best: relaxed where it validates them, revec where it revectorizes too. */
export function availableKernelVariants(): KernelVariant[] {
  if (!wasmRelaxedSimdAvailable()) return ["simd"];
  return revectorizationAvailable() ? ["simd", "relaxed", "revec"] : ["simd", "relaxed"];
}

/** The variant this runtime runs best: the last it can run. */
export function bestKernelVariant(): KernelVariant {
  return availableKernelVariants().at(-1) as KernelVariant;
}
