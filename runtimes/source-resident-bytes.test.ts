// The memory a source takes, estimated from its headers before loading, against what loading
// it gives (the engine's loader counts the values) and against headers written by hand.

import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run as exportCommand } from "../cli/export.ts";
import { prepareSource } from "../engine/convert.ts";
import { writeHeaderOnlySafeTensors } from "../engine/formats/safetensors/testing/header-only.ts";
import { openSource } from "../engine/open.ts";
import { tempDir } from "../test/gates/helpers.ts";
import { safeTensorsDeclared, sourceResidentBytes } from "./source-resident-bytes.ts";

describe("sourceResidentBytes", () => {
  it.each(["tiny-llama", "tiny-qwen2", "tiny-gpt2", "tiny-llama-spm"])("%s: 4 bytes per value the loader reads; with --quant, the bytes the quantized source holds", (slug) => {
    const values = [...openSource(slug).tensors.values()].reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(sourceResidentBytes(slug)).toBe(4 * values);
    for (const quant of ["f32", "q8_0", "q4_0", "q4_k"]) {
      const held = [...prepareSource(slug, "native", quant).tensors.values()].reduce((n, t) => n + t.data.byteLength, 0);
      expect([quant, sourceResidentBytes(slug, quant)]).toEqual([quant, held]);
    }
  });

  it.each(["tiny-llama", "tiny-gpt2"])("%s as a GGUF file: its size (F32); with --quant, the bytes the quantized source holds (GPT-2's fused attn_qkv included)", async (slug) => {
    const file = join(tempDir("refute-resident-"), `${slug}-f32.gguf`);
    expect(await exportCommand([slug, "-o", file], { out: () => {}, err: () => {} })).toBe(0);
    expect(sourceResidentBytes(file)).toBe(statSync(file).size);
    for (const quant of ["q8_0", "q4_0", "q4_k"]) {
      const held = [...prepareSource(file, "native", quant).tensors.values()].reduce((n, t) => n + t.data.byteLength, 0);
      expect([quant, sourceResidentBytes(file, quant)]).toEqual([quant, held]);
    }
  });

  it("a directory declaring 2^30 BF16 values: 4 GiB of float32 (the file itself is a header), 0.56 GiB as Q4_0", () => {
    const dir = join(tempDir("refute-resident-"), "big-bf16");
    mkdirSync(dir);
    writeHeaderOnlySafeTensors(join(dir, "model.safetensors"), { __metadata__: { format: "pt" }, w: { dtype: "BF16", shape: [32768, 32768], data_offsets: [0, 2 ** 31] } });
    expect(sourceResidentBytes(dir)).toBe(2 ** 32);
    expect(sourceResidentBytes(dir, "q4_0")).toBe((2 ** 30 / 32) * 18);
  });

  it("a header that cannot be read counts as its file's size; a model that is not there as 0", () => {
    const dir = join(tempDir("refute-resident-"), "bad");
    mkdirSync(dir);
    const file = join(dir, "model.safetensors");
    writeFileSync(file, Buffer.from([255, 255, 255, 255, 0, 0, 0, 0, 1, 2, 3]));
    expect(safeTensorsDeclared(file)).toBeNull();
    expect(sourceResidentBytes(dir)).toBe(11);
    writeHeaderOnlySafeTensors(file, { w: { dtype: "F32", shape: [2, -1], data_offsets: [0, 8] } });
    expect(safeTensorsDeclared(file)).toBeNull();
    expect(sourceResidentBytes(join(dir, "missing"))).toBe(0);
  });
});
