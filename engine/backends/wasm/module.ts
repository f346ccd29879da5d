// The compiled kernel module: kernels.wat assembled by WABT (the WebAssembly Binary Toolkit,
// through its npm build) and compiled once per process. The .wasm is never written to disk
// or committed; the text is the source of truth.

import { readFileSync } from "node:fs";
import wabtInit from "wabt";

/** Names of the module's exports that the thread pool can run, by op code (index). 0 = stop. */
export const POOL_OPS = ["", "matvec_f32", "matvec_q8_0", "matvec_q4_0", "matvec_q4_k", "matvec_q6_k", "attention"] as const;
export type PoolOp = Exclude<(typeof POOL_OPS)[number], "">;

/** Byte offset of the f16 table (65536 f32) the kernels read half scales through. */
export const FP16_TABLE_OFFSET = 65536;
/** First byte after the fixed regions: the arena starts here. */
export const ARENA_START = FP16_TABLE_OFFSET + 65536 * 4;

const wabt = await wabtInit();

/**
 * WebAssembly text -> binary, with the SIMD and threads proposals enabled. Validation is left
 * to WebAssembly.Module, the engine that will run it (WABT's validator rejects shared memory).
 */
export function assembleWat(text: string, file = "kernels.wat"): Uint8Array<ArrayBuffer> {
  const module = wabt.parseWat(file, text, { simd: true, threads: true });
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

let compiled: WebAssembly.Module | null = null;

export function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(assembleWat(readFileSync(new URL("./kernels.wat", import.meta.url), "utf8")));
  return compiled;
}

/** Whether this runtime has WebAssembly SIMD and shared memory (threads). */
export function wasmSimdAvailable(): boolean {
  try {
    const simd = assembleWat("(module (func (drop (v128.const i32x4 0 0 0 0))))", "probe.wat");
    return WebAssembly.validate(simd) && new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}
