// The memory a GGUF file takes in the kernels' memory, read from its header before the file is:
// its size, plus a float32 copy of each F16/BF16 tensor. Expectations are the file's own size
// and ggml's block sizes (F16 and BF16: 2 bytes a value, Q8_0: 34 bytes per 32), not the code.

import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readGgufHeaderFile, writeGgufFile } from "../engine/formats/gguf/file.ts";
import { readGguf } from "../engine/formats/gguf/read.ts";
import { residentBytes } from "./resident-bytes.ts";
import { tempDir } from "../test/gates/helpers.ts";

const F32 = 0;
const F16 = 1;
const Q8_0 = 8;
const BF16 = 30;

function gguf(tensors: Array<{ name: string; dims: number[]; type: number; bytes: number }>): string {
  const file = join(tempDir("refute-resident-"), "m.gguf");
  const metadata = [
    ["general.architecture", { type: "string", value: "llama" }],
    ["tokenizer.ggml.tokens", { type: "array", itemType: "string", value: Array.from({ length: 500 }, (_, i) => `token-${i}`) }],
  ] as const;
  writeGgufFile(file, { metadata, tensors: tensors.map((t) => ({ name: t.name, dims: t.dims, type: t.type, data: new Uint8Array(t.bytes) })) });
  return file;
}

describe("residentBytes", () => {
  it("is the file's size plus twice its F16 and BF16 tensors' bytes (their float32 copies); F32 and quantized tensors add nothing", () => {
    const file = gguf([
      { name: "a.f16", dims: [64, 8], type: F16, bytes: 64 * 8 * 2 },
      { name: "b.bf16", dims: [32, 4], type: BF16, bytes: 32 * 4 * 2 },
      { name: "c.f32", dims: [16, 16], type: F32, bytes: 16 * 16 * 4 },
      { name: "d.q8_0", dims: [64, 2], type: Q8_0, bytes: 2 * 2 * 34 },
    ]);
    expect(residentBytes(file)).toBe(statSync(file).size + 2 * (64 * 8 * 2 + 32 * 4 * 2));
    const quantized = gguf([{ name: "d.q8_0", dims: [64, 2], type: Q8_0, bytes: 2 * 2 * 34 }]);
    expect(residentBytes(quantized)).toBe(statSync(quantized).size);
  });

  it("is the file's size where the file is no GGUF (loading it then reports why)", () => {
    const file = join(tempDir("refute-resident-"), "not.gguf");
    writeFileSync(file, "not a model at all");
    expect(residentBytes(file)).toBe(statSync(file).size);
  });
});

describe("readGgufHeaderFile", () => {
  it("reads the header the whole-file reader reads, from the file's first bytes, and refuses a header that does not end within them", () => {
    const file = gguf([{ name: "a.f16", dims: [64, 8], type: F16, bytes: 64 * 8 * 2 }]);
    const whole = readGguf(new Uint8Array(readFileSync(file)));
    const { header, size } = readGgufHeaderFile(file, whole.dataOffset);
    expect(size).toBe(statSync(file).size);
    expect(header.dataOffset).toBe(whole.dataOffset);
    expect(header.infos.map((i) => [i.name, i.dims, i.type])).toEqual(whole.tensors.map((t) => [t.name, t.dims, t.type]));
    expect([...header.metadata.keys()]).toEqual([...whole.metadata.keys()]);
    expect(() => readGgufHeaderFile(file, 100)).toThrow(expect.objectContaining({ code: "GGUF_TRUNCATED" }));
  });

  it("reads on past its first MiB while the header does (a vocabulary of 150,000 tokens takes 3 MiB)", () => {
    const file = join(tempDir("refute-resident-"), "vocab.gguf");
    const tokens = Array.from({ length: 150_000 }, (_, i) => `a-token-${i}`);
    writeGgufFile(file, { metadata: [["tokenizer.ggml.tokens", { type: "array", itemType: "string", value: tokens }]], tensors: [{ name: "w", dims: [32, 4], type: F16, data: new Uint8Array(32 * 4 * 2) }] });
    const { header } = readGgufHeaderFile(file);
    expect(header.dataOffset).toBeGreaterThan(2 ** 21);
    expect(header.infos.map((i) => i.name)).toEqual(["w"]);
    expect(residentBytes(file)).toBe(statSync(file).size + 2 * 32 * 4 * 2);
  });
});
