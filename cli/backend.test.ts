// kernelsFor gives a model the memory it needs before it is read: a GGUF file whose F16 tensors
// become more than 3.5 GiB of float32, or a Hugging Face directory of BF16 values that do, gets
// the 64-bit memory where the runtime has one (Node 24), though the file itself is small; the
// same directory quantized to Q4_0 fits the 32-bit one. Each file is a header alone, built by
// hand: the GGUF declares one F16 tensor of 32768 x 65536 values (4 GiB, float32 8 GiB more),
// the safetensors one BF16 tensor of 32768 x 32768 (float32 4 GiB, Q4_0 0.56 GiB).

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { wasmMemory64Available } from "../engine/backends/wasm/module.ts";
import type { WasmKernels } from "../engine/backends/wasm/kernels.ts";
import { bytes, header, tensorInfo } from "../engine/formats/gguf/testing/bytes.ts";
import { writeHeaderOnlySafeTensors } from "../engine/formats/safetensors/testing/header-only.ts";
import { tempDir } from "../test/gates/helpers.ts";
import { kernelsFor } from "./backend.ts";

const F16 = 1;

describe("kernelsFor", () => {
  it("gives a GGUF whose F16 tensors need more than a 32-bit memory the 64-bit one where the runtime has it, and a small one the 32-bit memory", async () => {
    const dir = tempDir("refute-kernels-for-");
    const big = join(dir, "big-f16.gguf");
    writeFileSync(big, bytes([header(1, 0), tensorInfo("w", [32768, 65536], F16, 0)], 64));
    const small = join(dir, "small-f16.gguf");
    writeFileSync(small, bytes([header(1, 0), tensorInfo("w", [32, 4], F16, 0)], 64));
    const addressing = async (model?: string) => {
      const k = (await kernelsFor({ backend: "cpu-wasm", threads: 1 }, model)) as WasmKernels;
      try {
        return k.addressing;
      } finally {
        await k.close();
      }
    };
    expect(await addressing(big)).toBe(wasmMemory64Available() ? "memory64" : "memory32");
    expect(await addressing(small)).toBe("memory32");
    expect(await addressing()).toBe("memory32");
  });

  it("gives a Hugging Face directory the memory its float32 values need, or its --quant blocks", async () => {
    const dir = join(tempDir("refute-kernels-for-"), "big-bf16");
    mkdirSync(dir);
    writeHeaderOnlySafeTensors(join(dir, "model.safetensors"), { w: { dtype: "BF16", shape: [32768, 32768], data_offsets: [0, 2 ** 31] } });
    const addressing = async (quants?: (string | undefined)[]) => {
      const k = (await kernelsFor({ backend: "cpu-wasm", threads: 1 }, dir, quants)) as WasmKernels;
      try {
        return k.addressing;
      } finally {
        await k.close();
      }
    };
    expect(await addressing()).toBe(wasmMemory64Available() ? "memory64" : "memory32");
    expect(await addressing(["q4_0"])).toBe("memory32");
    // refute serve's one model per quant, in one memory: seven Q4_0 copies pass 3.5 GiB
    expect(await addressing(Array(7).fill("q4_0"))).toBe(wasmMemory64Available() ? "memory64" : "memory32");
  });
});
