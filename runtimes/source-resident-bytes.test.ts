// The memory a source takes, estimated from its headers before loading, against what loading
// it gives (the engine's loader counts the values) and against headers written by hand.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSource } from "../engine/open.ts";
import { tempDir } from "../test/gates/helpers.ts";
import { safeTensorsValueCount, sourceResidentBytes } from "./source-resident-bytes.ts";

/** A safetensors file of a header alone (its data section absent: only the estimate reads it). */
function headerOnly(file: string, header: Record<string, unknown>): void {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([length, json]));
}

describe("sourceResidentBytes", () => {
  it("a zoo model: 4 bytes per value the loader reads, or its --quant blocks", () => {
    const values = [...openSource("tiny-llama").tensors.values()].reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(sourceResidentBytes("tiny-llama")).toBe(4 * values);
    expect(sourceResidentBytes("tiny-llama", "q8_0")).toBe((values / 32) * 34);
  });

  it("a directory declaring 2^30 BF16 values: 4 GiB of float32 (the file itself is a header), 0.56 GiB as Q4_0", () => {
    const dir = join(tempDir("refute-resident-"), "big-bf16");
    mkdirSync(dir);
    headerOnly(join(dir, "model.safetensors"), { __metadata__: { format: "pt" }, w: { dtype: "BF16", shape: [32768, 32768], data_offsets: [0, 2 ** 31] } });
    expect(sourceResidentBytes(dir)).toBe(2 ** 32);
    expect(sourceResidentBytes(dir, "q4_0")).toBe((2 ** 30 / 32) * 18);
  });

  it("a header that cannot be read counts as its file's size; a model that is not there as 0", () => {
    const dir = join(tempDir("refute-resident-"), "bad");
    mkdirSync(dir);
    const file = join(dir, "model.safetensors");
    writeFileSync(file, Buffer.from([255, 255, 255, 255, 0, 0, 0, 0, 1, 2, 3]));
    expect(safeTensorsValueCount(file)).toBeNull();
    expect(sourceResidentBytes(dir)).toBe(11);
    headerOnly(file, { w: { dtype: "F32", shape: [2, -1], data_offsets: [0, 8] } });
    expect(safeTensorsValueCount(file)).toBeNull();
    expect(sourceResidentBytes(join(dir, "missing"))).toBe(0);
  });
});
