// D3 of issue 19: SafeTensors does not pad its header, so an f32 tensor's data may start at any
// byte of the file. Such a spec-valid file loads with the values it holds; an F16[1] + F32[4]
// file gives exactly four f32 values (a Buffer's slice is a view of Node's 8 KB pool: copying
// through it read 2,048 values of someone else's memory).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSafeTensorsFile } from "../../engine/formats/safetensors/read.ts";
import { toFloat32 } from "../../engine/model/dequantize.ts";
import { tempDir } from "../gates/helpers.ts";

/** A SafeTensors file whose header is `padding` spaces short of alignment, the data right after it. */
function file(header: Record<string, unknown>, data: Uint8Array, headerLength: number): string {
  let json = JSON.stringify(header);
  json += " ".repeat(headerLength - json.length);
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(new TextEncoder().encode(json), 8);
  bytes.set(data, 8 + json.length);
  const path = join(tempDir("refute-d3-"), "model.safetensors");
  writeFileSync(path, bytes);
  return path;
}

const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

describe("D3: f32 data at an unaligned file offset", () => {
  it("loads with its own values wherever its data starts", () => {
    const values = [1.5, -2.25, 3e-7, 1024];
    for (const misalign of [1, 2, 3]) {
      const header = { w: { dtype: "F32", shape: [4], data_offsets: [0, 16] } };
      const length = JSON.stringify(header).length;
      const path = file(header, f32(values), length + ((4 - ((8 + length) % 4)) % 4) + misalign);
      const [t] = readSafeTensorsFile(path);
      expect([...toFloat32(t)]).toEqual(values.map(Math.fround));
    }
  });

  it("an F16[1] + F32[4] file gives exactly the four f32 values", () => {
    const values = [0.5, 1, -1, 2];
    const data = new Uint8Array(2 + 16);
    data.set([0x00, 0x3c], 0); // f16 1.0
    data.set(f32(values), 2);
    const header = { a: { dtype: "F16", shape: [1], data_offsets: [0, 2] }, b: { dtype: "F32", shape: [4], data_offsets: [2, 18] } };
    const path = file(header, data, JSON.stringify(header).length);
    const b = readSafeTensorsFile(path).find((t) => t.name === "b")!;
    expect([...toFloat32(b)]).toEqual(values);
  });
});
