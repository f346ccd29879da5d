// The WAT assembler that builds the cpu-wasm kernels: flat and folded forms give the same
// code, labels resolve to depths, and anything outside its subset is an error naming the line.

import { describe, expect, it } from "vitest";
import { assembleWat } from "../../engine/backends/wasm/assembler.ts";
import { wasmSimdAvailable } from "../../engine/backends/wasm/kernels.ts";

function run(text: string, name: string, ...args: number[]): unknown {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const exports = new WebAssembly.Instance(new WebAssembly.Module(assembleWat(text)), { env: { memory } }).exports;
  return (exports[name] as (...a: number[]) => unknown)(...args);
}

const MEMORY = '(import "env" "memory" (memory 1 1 shared))';

describe("assembleWat", () => {
  it("flat and folded instruction forms assemble to the same bytes", () => {
    const flat = `(module ${MEMORY} (func (export "f") (param $a i32) (result i32) local.get $a i32.const 3 i32.mul))`;
    const folded = `(module ${MEMORY} (func (export "f") (param $a i32) (result i32) (i32.mul (local.get $a) (i32.const 3))))`;
    expect(assembleWat(flat)).toEqual(assembleWat(folded));
    expect(run(flat, "f", 14)).toBe(42);
  });

  it("block/loop labels, br_if, if/else with a result, SIMD lanes and hex floats", () => {
    const text = `(module ${MEMORY}
      (func (export "sum") (param $n i32) (result i32) (local $s i32)
        (block $done (loop $top
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $s (i32.add (local.get $s) (local.get $n)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $top)))
        (if (result i32) (i32.gt_s (local.get $s) (i32.const 10)) (then (local.get $s)) (else (i32.const -1))))
      (func (export "lanes") (result f32)
        (f32x4.extract_lane 2 (f32x4.mul (v128.const f32x4 1 2 3 4) (f32x4.splat (f32.const 0x1p-1))))))`;
    expect(run(text, "sum", 10)).toBe(55);
    expect(run(text, "sum", 3)).toBe(-1);
    expect(run(text, "lanes")).toBe(1.5);
  });

  it("an instruction outside the subset is an error naming it and its line", () => {
    expect(() => assembleWat(`(module ${MEMORY}\n (func\n  (i32.frobnicate)))`)).toThrow(/line 3: unknown instruction i32.frobnicate/);
  });

  it("this Node has WebAssembly SIMD and shared memory (the cpu-wasm backend's requirement)", () => {
    expect(wasmSimdAvailable()).toBe(true);
  });
});
