import { describe, expect, it } from "vitest";
import { cpuKernels } from "../engine/backends/cpu/kernels.ts";
import { createWasmKernels } from "../engine/backends/wasm/kernels.ts";
import { wasmRelaxedSimdAvailable } from "../engine/backends/wasm/module.ts";
import { describeBackend, describeKernels } from "./backends.ts";

describe("what a backend is said to be", () => {
  it("cpu-wasm names the kernels that run: relaxed SIMD where the runtime validates it, else WebAssembly SIMD", async () => {
    const kernels = wasmRelaxedSimdAvailable() ? "relaxed SIMD" : "WebAssembly SIMD";
    expect(describeBackend("cpu-wasm", 2)).toBe(`cpu-wasm (${kernels}, 2 threads)`);
    expect(describeBackend("cpu", 1)).toBe(`cpu = cpu-wasm (${kernels}, 1 thread)`);
    const simd = await createWasmKernels({ threads: 1, variant: "simd" });
    expect(describeKernels(simd)).toBe("cpu-wasm (WebAssembly SIMD)");
    await simd.close();
    if (wasmRelaxedSimdAvailable()) {
      const relaxed = await createWasmKernels({ threads: 1, variant: "relaxed" });
      expect(describeKernels(relaxed)).toBe("cpu-wasm (relaxed SIMD)");
      await relaxed.close();
    }
    expect(describeKernels(cpuKernels)).toBe("cpu-ts");
  });
});
