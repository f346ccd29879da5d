// A matrix past 4 GiB - 1 bytes cannot be addressed by the kernels' 32-bit arithmetic within one
// matrix (wat-memory64.ts): cpu-wasm runs its products on the reference kernels instead. No test
// machine holds such a matrix, so a small one says it is that large (its byteLength read as
// 2^32); the products then equal the reference's bit for bit, where the kernels' own float32
// lanes differ from the reference's float64 sums in the last bits (checked first, so the test
// tells the two paths apart).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpuKernels } from "../../engine/backends/cpu/kernels.ts";
import { gaussian } from "../../engine/backends/random-inputs.ts";
import { createWasmKernels, type WasmKernels } from "../../engine/backends/wasm/kernels.ts";
import type { Matrix } from "../../engine/model/weights.ts";

/** Float32 values whose byteLength says 4 GiB. */
class SaysFourGiB extends Float32Array {
  override get byteLength(): number {
    return 2 ** 32;
  }
}

const ROWS = 64;
const COLS = 576;
const values = gaussian(ROWS * COLS, 7);
const plain: Matrix = { kind: "f32", name: "w", rows: ROWS, cols: COLS, data: values };
const huge: Matrix = { ...plain, name: "huge", data: new SaysFourGiB(values) };
const x = gaussian(COLS * 3, 11);

const bits = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

describe("cpu-wasm on a matrix past 4 GiB - 1 bytes", () => {
  let kernels: WasmKernels;
  beforeAll(async () => {
    kernels = await createWasmKernels({ threads: 1 });
  });
  afterAll(async () => {
    await kernels.close();
  });

  const product = (k: { matvec: WasmKernels["matvec"] }, w: Matrix) => {
    const out = new Float32Array(ROWS);
    k.matvec(w, x.subarray(0, COLS), out, null);
    return out;
  };

  it("the kernels' own product differs from the reference's in the last bits (so the paths can be told apart)", () => {
    expect(bits(product(kernels, plain))).not.toEqual(bits(product(cpuKernels, plain)));
  });

  it("matvec, matvecs and matmul run on the reference kernels: bit for bit the reference's products", () => {
    const reference = product(cpuKernels, plain);
    expect(bits(product(kernels, huge))).toEqual(bits(reference));
    const outs = [new Float32Array(ROWS), new Float32Array(ROWS)];
    kernels.matvecs([huge, huge], x.subarray(0, COLS), outs, [null, null]);
    for (const out of outs) expect(bits(out)).toEqual(bits(reference));
    const many = new Float32Array(3 * ROWS);
    expect(kernels.matmul).toBeDefined();
    kernels.matmul?.(huge, x, many, 3, null);
    const expected = new Float32Array(3 * ROWS);
    for (let t = 0; t < 3; t++) cpuKernels.matvec(plain, x.subarray(t * COLS, (t + 1) * COLS), expected.subarray(t * ROWS, (t + 1) * ROWS), null);
    expect(bits(many)).toEqual(bits(expected));
  });
});
