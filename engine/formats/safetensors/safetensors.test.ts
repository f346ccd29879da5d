import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isRefuteError } from "../../../core/errors.ts";
import type { Tensor } from "../../tensor.ts";
import { readSafeTensorsBytes } from "./read.ts";
import { writeSafeTensorsBytes } from "./write.ts";

const BYTES = { f32: 4, f16: 2, bf16: 2 } as const;

const tensorArb = fc
  .record({
    name: fc.stringMatching(/^[a-z][a-z0-9_.]{0,20}$/),
    dtype: fc.constantFrom("f32", "f16", "bf16") as fc.Arbitrary<"f32" | "f16" | "bf16">,
    shape: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 3 }),
  })
  .chain((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype];
    return fc.uint8Array({ minLength: n, maxLength: n }).map((data): Tensor => ({ ...t, data }));
  });

function header(json: unknown, data = new Uint8Array(0)): Uint8Array {
  const text = new TextEncoder().encode(typeof json === "string" ? json : JSON.stringify(json));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

function codeOf(bytes: Uint8Array): string {
  try {
    readSafeTensorsBytes(bytes, "test.safetensors");
  } catch (e) {
    if (isRefuteError(e)) return e.code;
    throw e;
  }
  return "OK";
}

describe("SafeTensors", () => {
  it("write then read returns the same tensors", () => {
    fc.assert(
      fc.property(fc.uniqueArray(tensorArb, { selector: (t) => t.name, maxLength: 6 }), (tensors) => {
        const back = readSafeTensorsBytes(writeSafeTensorsBytes(tensors), "x");
        const byName = new Map(back.map((t) => [t.name, t]));
        expect(back.length).toBe(tensors.length);
        for (const t of tensors) {
          const r = byName.get(t.name) as Tensor;
          expect(r.dtype).toBe(t.dtype);
          expect(r.shape).toEqual(t.shape);
          expect(Array.from(r.data)).toEqual(Array.from(t.data));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("keeps the data section 8-byte aligned so F32 tensors are read without copying", () => {
    const data = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    const bytes = writeSafeTensorsBytes([{ name: "a", dtype: "f32", shape: [3], data }]);
    const [t] = readSafeTensorsBytes(bytes, "x");
    expect(t.data.buffer).toBe(bytes.buffer);
    expect(t.data.byteOffset % 8).toBe(0);
  });

  it.each([
    ["too short for the length field", new Uint8Array(4), "SAFETENSORS_TRUNCATED"],
    ["header longer than the file", (() => { const b = header({}); new DataView(b.buffer).setBigUint64(0, 1n << 40n, true); return b; })(), "SAFETENSORS_HEADER_TOO_LARGE"],
    ["header not JSON", header("{nope"), "SAFETENSORS_BAD_HEADER"],
    ["header an array", header([]), "SAFETENSORS_BAD_HEADER"],
    ["unknown dtype", header({ a: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), "SAFETENSORS_UNSUPPORTED_DTYPE"],
    ["offsets past the end", header({ a: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)), "SAFETENSORS_OFFSET_OUT_OF_RANGE"],
    ["dtype x shape not the span", header({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), "SAFETENSORS_SIZE_MISMATCH"],
    ["overlapping tensors", header({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)), "SAFETENSORS_OVERLAP"],
    ["negative shape", header({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 0] } }), "SAFETENSORS_BAD_ENTRY"],
  ])("rejects %s with a clear error", (_what, bytes, code) => {
    expect(codeOf(bytes)).toBe(code);
  });

  it("names the tensor and the fact in the message", () => {
    const bytes = header({ "model.norm.weight": { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8));
    expect(() => readSafeTensorsBytes(bytes, "w.safetensors")).toThrow(/w\.safetensors: tensor model\.norm\.weight: F32 x \[3\] needs 12 bytes/);
  });

  it("never crashes on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const code = codeOf(bytes);
        expect(typeof code).toBe("string");
      }),
      { numRuns: 500 },
    );
  });
});
