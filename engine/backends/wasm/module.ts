// The compiled kernel module: kernels.wat assembled by WABT (the WebAssembly Binary Toolkit,
// through its npm build) and compiled once per process, in one of two variants: "simd" (the
// SIMD proposal every Node since 16 has) or "relaxed" (kernels-relaxed.wat's functions in
// place of their namesakes, where the runtime validates the relaxed SIMD proposal: Node 24).
// The .wasm is never written to disk or committed; the text is the source of truth.

import { readFileSync } from "node:fs";
import { replaceFunctions } from "./wat-splice.ts";

/** Names of the module's exports that the thread pool can run, by op code (index). 0 = stop. */
export const POOL_OPS = ["", "matvec_f32", "matvec_q8_0", "matvec_q4_0", "matvec_q4_k", "matvec_q6_k", "attention", "matvec_multi", "matmul"] as const;
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
  const module = (await loadWabt()).parseWat(file, text, { simd: true, threads: true, relaxed_simd: true });
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** Which kernels a module holds: the SIMD proposal's alone, or with the relaxed ones. */
export type KernelVariant = "simd" | "relaxed";

const readKernelText = (file: string): string => readFileSync(new URL(`./${file}`, import.meta.url), "utf8");

/** The module's text: kernels.wat, with kernels-relaxed.wat's functions spliced in for "relaxed". */
export function kernelText(variant: KernelVariant): string {
  const base = readKernelText("kernels.wat");
  return variant === "relaxed" ? replaceFunctions(base, readKernelText("kernels-relaxed.wat")) : base;
}

const compiled = new Map<KernelVariant, Promise<WebAssembly.Module>>();

export function kernelModule(variant: KernelVariant): Promise<WebAssembly.Module> {
  let module = compiled.get(variant);
  if (!module) {
    module = assembleWat(kernelText(variant), `kernels-${variant}.wat`).then((bytes) => new WebAssembly.Module(bytes));
    compiled.set(variant, module);
  }
  return module;
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

/** The variant this runtime runs best: relaxed where it validates, else the SIMD one. */
export function bestKernelVariant(): KernelVariant {
  return wasmRelaxedSimdAvailable() ? "relaxed" : "simd";
}
