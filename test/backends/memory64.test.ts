// The cpu-wasm backend over a 64-bit memory (memory64: Node 24; CI runs the tests on Node 20
// and 24): weights and model files live from 4 GiB up, activations below, and every kernel
// computes bit for bit what the same kernels compute over a 32-bit memory (the arithmetic is
// the same; only the addresses are wider). Past 4 GiB of weights the model still runs, where
// a 32-bit memory refuses with WASM_MEMORY. A runtime without memory64 refuses to make one.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWasmKernels, type WasmKernels } from "../../engine/backends/wasm/kernels.ts";
import { bestKernelVariant, wasmMemory64Available } from "../../engine/backends/wasm/module.ts";
import { gaussian } from "../../engine/backends/random-inputs.ts";
import { quantizedMatrix } from "./quantized-matrix.ts";
import type { Matrix } from "../../engine/model/weights.ts";
import { openModel } from "../../engine/open.ts";
import { ggufFor } from "../../runtimes/model-file.ts";

const MEMORY64 = wasmMemory64Available();
const GiB = 2 ** 30;

const matrices = (rows: number, cols: number, seed: number): Matrix[] => {
  const values = gaussian(rows * cols, seed);
  return [{ kind: "f32", name: "w.f32", rows, cols, data: values }, ...(["q8_0", "q4_0", "q4_k", "q6_k"] as const).map((t) => quantizedMatrix(t, rows, cols, values))];
};

describe.runIf(MEMORY64)("cpu-wasm over a 64-bit memory", () => {
  const variant = bestKernelVariant();
  let narrow: WasmKernels;
  let wide: WasmKernels;
  beforeAll(async () => {
    narrow = await createWasmKernels({ threads: 2, minParallelBytes: 0, spinMicros: 50, variant });
    wide = await createWasmKernels({ threads: 2, minParallelBytes: 0, spinMicros: 50, variant, addressing: "memory64" });
  });
  afterAll(async () => {
    await narrow.close();
    await wide.close();
  });

  it("puts weights at 4 GiB and above and activations below, and every product, in one or several or over a block of tokens, equals the 32-bit memory's bit for bit", () => {
    expect(wide.addressing).toBe("memory64");
    const rows = 96;
    const cols = 512;
    const x = gaussian(cols, 5);
    const tokens = 6; // one four-token product and two single ones
    const xs = gaussian(tokens * cols, 6);
    for (const w of matrices(rows, cols, 4)) {
      const placed = wide.prepare(w);
      expect(placed.data.byteOffset, w.name).toBeGreaterThanOrEqual(4 * GiB);
      const one = (k: WasmKernels) => {
        const out = k.allocate(rows);
        k.matvec(k === wide ? placed : w, x, out, null);
        return [...out];
      };
      expect(one(wide), w.name).toEqual(one(narrow));
      const several = (k: WasmKernels) => {
        const outs = [k.allocate(rows), k.allocate(rows)];
        expect(outs[0].byteOffset).toBeLessThan(4 * GiB);
        k.matvecs([w, w], x, outs, [null, null]);
        return outs.map((o) => [...o]);
      };
      expect(several(wide), w.name).toEqual(several(narrow));
      const block = (k: WasmKernels) => {
        const out = new Float32Array(tokens * rows);
        k.matmul?.(w, xs, out, tokens, null);
        return [...out];
      };
      expect(block(wide), w.name).toEqual(block(narrow));
    }
    const weight = gaussian(cols, 7);
    const bias = gaussian(cols, 8);
    const norms = (k: WasmKernels) => {
      const rms = new Float32Array(cols);
      const layer = new Float32Array(cols);
      const rows = new Float32Array(5 * cols);
      k.rmsNorm(x, weight, 1e-6, rms);
      k.layerNorm(x, weight, bias, 1e-5, layer);
      k.rmsNormTokens(gaussian(5 * cols, 9), weight, 1e-6, rows, 5);
      return [[...rms], [...layer], [...rows]];
    };
    expect(norms(wide)).toEqual(norms(narrow));
  });

  it("holds more than 4 GiB: weights placed past 8 GiB compute as they do below 4 GiB, where a 32-bit memory refuses with WASM_MEMORY", async () => {
    const k = await createWasmKernels({ threads: 1, variant, addressing: "memory64" });
    try {
      const file = k.allocateBytes(4.5 * GiB); // a file's worth of weights, its pages never touched
      expect(file.byteOffset).toBeGreaterThanOrEqual(4 * GiB);
      const [f32, q8] = matrices(32, 256, 9);
      const far = k.prepare(q8);
      expect(far.data.byteOffset).toBeGreaterThanOrEqual(8.5 * GiB);
      const x = gaussian(256, 10);
      const out = new Float32Array(32);
      const near = new Float32Array(32);
      k.matvec(far, x, out, null);
      narrow.matvec(q8, x, near, null);
      expect([...out]).toEqual([...near]);
      k.matvec(f32, x, out, null);
      narrow.matvec(f32, x, near, null);
      expect([...out]).toEqual([...near]);
      expect(k.memoryBytes()).toBeGreaterThan(4.5 * GiB);
    } finally {
      await k.close();
    }
    const single = await createWasmKernels({ threads: 1, variant });
    try {
      expect(() => single.allocateBytes(4.5 * GiB)).toThrow(expect.objectContaining({ code: "WASM_MEMORY", message: expect.stringMatching(/ends at 4 GiB: use the cpu-ts backend, or the 64-bit memory this runtime has/) }));
    } finally {
      await single.close();
    }
  });

  it("reads each zoo family's GGUF to 4 GiB and above and generates what the 32-bit memory generates", () => {
    for (const model of ["tiny-llama", "tiny-qwen2", "tiny-gpt2"]) {
      for (const quant of ["f32", "q8_0", "q4_0"] as const) {
        const file = ggufFor({ model, format: "gguf", quant });
        const onWide = openModel(file, wide);
        expect(onWide.generate("Once upon a time", 16, 3), `${model} ${quant}`).toEqual(openModel(file, narrow).generate("Once upon a time", 16, 3));
      }
    }
  });
});

describe.runIf(!MEMORY64)("cpu-wasm on a runtime without memory64", () => {
  it("refuses a 64-bit memory with WASM_MEMORY64_MISSING, naming the runtime", async () => {
    await expect(createWasmKernels({ threads: 1, addressing: "memory64" })).rejects.toMatchObject({ code: "WASM_MEMORY64_MISSING", message: expect.stringContaining(process.version) });
  });
});
