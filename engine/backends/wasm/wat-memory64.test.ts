import { describe, expect, it } from "vitest";
import { assembleWat, wasmMemory64Available } from "./module.ts";
import { memory64Text } from "./wat-memory64.ts";

// $w is a weight pointer; $p derives from it; the table load's index is a value read through
// $p (data, not a pointer), so it reads low memory; $x is an activation.
const KERNEL = `(module
  (import "env" "memory" (memory 2 65536 shared))
  (func (export "dot") (param $w i32) (param $x i32) (result f32) (local $p i32)
    (local.set $p (i32.add (local.get $w) (i32.const 8))) ;; a (comment) with parens
    (f32.add
      (f32.mul (f32.load offset=4 (local.get $p)) (f32.load (local.get $x)))
      (f32.load offset=64 (i32.shl (i32.load8_u (local.get $p)) (i32.const 2))))))`;

describe("memory64Text", () => {
  it("widens every address: weight pointers' from their base, the rest zero-extended; the memory gets a 64-bit index", () => {
    const out = memory64Text(KERNEL, 1024);
    expect(out).toContain("(memory i64 2 1024 shared)");
    expect(out).toContain("(local $w.base i64) (local.set $w.base (i64.shl (i64.extend_i32_u (local.get $w)) (i64.const 4))) (local.set $w (i32.const 0))");
    expect(out).toContain("(f32.load offset=4 (i64.add (local.get $w.base) (i64.extend_i32_u (local.get $p))))");
    expect(out).toContain("(f32.load (i64.extend_i32_u (local.get $x)))");
    expect(out).toContain("(f32.load offset=64 (i64.extend_i32_u (i32.shl (i32.load8_u (i64.add (local.get $w.base) (i64.extend_i32_u (local.get $p)))) (i32.const 2))))");
  });

  it(`assembles, and where the runtime has memory64 (${wasmMemory64Available() ? "here" : "not here"}) reads a weight past 4 GiB with its 16-byte-unit pointer`, async () => {
    const bytes = await assembleWat(memory64Text(KERNEL, 131072), "dot.wat");
    if (!wasmMemory64Available()) {
      expect(WebAssembly.validate(bytes)).toBe(false);
      return;
    }
    const memory = new WebAssembly.Memory({ initial: 2n, maximum: 131072n, shared: true, address: "i64" } as unknown as WebAssembly.MemoryDescriptor);
    (memory as unknown as { grow(n: bigint): bigint }).grow(BigInt(5 * 16384));
    const weightAt = 5 * 2 ** 30 - 4096;
    const f32 = new Float32Array(memory.buffer);
    const u8 = new Uint8Array(memory.buffer);
    u8[weightAt + 8] = 3; // the table index, read through $p
    f32[(weightAt + 12) / 4] = 2.5; // w at $p + 4
    f32[256 / 4] = 4; // x
    f32[(64 + 3 * 4) / 4] = 0.25; // table[3]
    const { dot } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as { dot(w: number, x: number): number };
    expect(dot(weightAt / 16, 256)).toBe(2.5 * 4 + 0.25);
  });

  it("refuses what it could not widen soundly: a store through a weight pointer, an address from two weights, an unfolded access", () => {
    const refuse = (body: string) => expect(() => memory64Text(`(module (import "env" "memory" (memory 1 2 shared)) (func (param $w i32) (param $bias i32) (param $x i32) ${body}))`, 4)).toThrow(expect.objectContaining({ code: "WAT_MEMORY64" }));
    refuse("(f32.store (local.get $w) (f32.const 1))");
    refuse("(drop (f32.load (i32.add (local.get $w) (local.get $bias))))");
    refuse("(local.get $x) (drop (f32.load))");
    refuse("(drop (f32.load 1 (local.get $x)))");
  });
});
