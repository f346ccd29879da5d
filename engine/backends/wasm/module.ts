// The compiled kernel module: kernels.wat assembled by WABT (the WebAssembly Binary Toolkit,
// through its npm build) and compiled once per process. The .wasm is never written to disk
// or committed; the text is the source of truth.

import { readFileSync } from "node:fs";

/** Names of the module's exports that the thread pool can run, by op code (index). 0 = stop. */
export const POOL_OPS = ["", "matvec_f32", "matvec_q8_0", "matvec_q4_0", "matvec_q4_k", "matvec_q6_k", "attention", "matvec_multi"] as const;
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
  const module = (await loadWabt()).parseWat(file, text, { simd: true, threads: true });
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

let compiled: Promise<WebAssembly.Module> | null = null;

export function kernelModule(): Promise<WebAssembly.Module> {
  compiled ??= assembleWat(readFileSync(new URL("./kernels.wat", import.meta.url), "utf8")).then((bytes) => new WebAssembly.Module(bytes));
  return compiled;
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
