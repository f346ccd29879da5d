// A model file opened on the cpu-wasm backend is read straight into the backend's memory: the
// weights are views of those bytes, used in place, so loading holds one copy of the file, not
// the file plus a copy. The results are those of the file read the ordinary way.

import { statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWasmKernels, type WasmKernels } from "../../engine/backends/wasm/kernels.ts";
import { readFileInto } from "../../engine/formats/read-file.ts";
import { EngineModel } from "../../engine/model.ts";
import type { Matrix } from "../../engine/model/weights.ts";
import { openModel, openSource } from "../../engine/open.ts";
import { tinyGguf } from "../runtimes/tiny-model.ts";
import { weightMatrices } from "./weight-matrices.ts";

let wasm: WasmKernels;
beforeAll(async () => {
  wasm = await createWasmKernels({ threads: 1 });
});
afterAll(() => wasm.close());

describe.each([
  ["llama", "f32"],
  ["llama", "q8_0"],
  ["qwen2", "f32"],
  ["qwen2", "q8_0"],
] as const)("a %s %s GGUF opened on cpu-wasm", (family, quant) => {
  it("is read into the backend's memory once; every weight is a view of it, llama's q and k re-ordered in place", () => {
    const file = tinyGguf(family, quant);
    const regions: Uint8Array[] = [];
    const allocateBytes = wasm.allocateBytes.bind(wasm);
    wasm.allocateBytes = (bytes) => {
      const region = allocateBytes(bytes);
      regions.push(region);
      return region;
    };
    let model: EngineModel;
    try {
      model = openModel(file, wasm);
    } finally {
      delete (wasm as Partial<WasmKernels>).allocateBytes; // the prototype's again
    }
    expect(regions.map((r) => r.length)).toEqual([statSync(file).size]);
    const [region] = regions;
    const inFile = (m: Matrix) => m.data.buffer instanceof SharedArrayBuffer && m.data.byteOffset >= region.byteOffset && m.data.byteOffset + m.data.byteLength <= region.byteOffset + region.length;
    for (const m of weightMatrices(model)) expect(inFile(m), `${m.name} is a view of the file's bytes in the memory`).toBe(true);
  });

  it("generates exactly what the same file read into an ordinary buffer generates", () => {
    const file = tinyGguf(family, quant);
    const inMemory = openModel(file, wasm);
    const ordinary = new EngineModel(openSource(file), wasm);
    expect(inMemory.generate("Once upon a time", 12, 3)).toEqual(ordinary.generate("Once upon a time", 12, 3));
  });
});

describe("readFileInto", () => {
  it("fills the buffer the allocator gives with the whole file", () => {
    const file = tinyGguf("qwen2", "q8_0");
    let asked = -1;
    const bytes = readFileInto(file, (n) => new Uint8Array((asked = n)));
    expect(asked).toBe(statSync(file).size);
    expect(Buffer.from(bytes).equals(Buffer.from(readFileInto(file)))).toBe(true);
  });

  it("reads in pieces of at most the chunk size (fs.readSync refuses more than 2^31 - 1 bytes at once): every byte, in order", () => {
    const file = tinyGguf("qwen2", "q8_0");
    const whole = readFileInto(file);
    expect(Buffer.from(readFileInto(file, undefined, 7)).equals(Buffer.from(whole))).toBe(true);
    expect(Buffer.from(readFileInto(file, undefined, whole.length - 1)).equals(Buffer.from(whole))).toBe(true);
  });

  it("refuses a missing file with its path", () => {
    expect(() => readFileInto("/nonexistent/model.gguf")).toThrow(/nonexistent\/model\.gguf/);
  });
});
