import { describe, expect, it } from "vitest";
import { cpuKernels } from "../engine/backends/cpu/kernels.ts";
import { createWasmKernels } from "../engine/backends/wasm/kernels.ts";
import { addressingFor, MEMORY32_MODEL_BYTES, wasmMemory64Available, wasmRelaxedSimdAvailable } from "../engine/backends/wasm/module.ts";
import { revectorizationAvailable } from "../engine/backends/wasm/revectorize.ts";
import { describeBackend, describeKernels } from "./backends.ts";

describe("what a backend is said to be", () => {
  it("cpu-wasm names the kernels that run (revectorized where the runtime revectorizes, relaxed SIMD where it validates it, else WebAssembly SIMD) and the 64-bit memory where the runtime has it", async () => {
    const relaxedKernels = revectorizationAvailable() ? "relaxed SIMD, revectorized to 256 bits" : "relaxed SIMD";
    const kernels = wasmRelaxedSimdAvailable() ? relaxedKernels : "WebAssembly SIMD";
    const wide = wasmMemory64Available() ? "; memory64 for models over 3.5 GiB" : "";
    expect(describeBackend("cpu-wasm", 2)).toBe(`cpu-wasm (${kernels}, 2 threads${wide})`);
    expect(describeBackend("cpu", 1)).toBe(`cpu = cpu-wasm (${kernels}, 1 thread${wide})`);
    const simd = await createWasmKernels({ threads: 1, variant: "simd" });
    expect(describeKernels(simd)).toBe("cpu-wasm (WebAssembly SIMD)");
    await simd.close();
    if (wasmRelaxedSimdAvailable()) {
      const relaxed = await createWasmKernels({ threads: 1, variant: "relaxed" });
      expect(describeKernels(relaxed)).toBe("cpu-wasm (relaxed SIMD)");
      await relaxed.close();
    }
    if (wasmMemory64Available()) {
      const wideKernels = await createWasmKernels({ threads: 1, variant: "simd", addressing: "memory64" });
      expect(describeKernels(wideKernels)).toBe("cpu-wasm (WebAssembly SIMD, memory64)");
      await wideKernels.close();
    }
    expect(describeKernels(cpuKernels)).toBe("cpu-ts");
  });

  it("a model gets the 64-bit memory only past what a 32-bit one holds, and only where the runtime has it", () => {
    expect(addressingFor(0)).toBe("memory32");
    expect(addressingFor(MEMORY32_MODEL_BYTES)).toBe("memory32");
    expect(addressingFor(MEMORY32_MODEL_BYTES + 1)).toBe(wasmMemory64Available() ? "memory64" : "memory32");
  });
});
