import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ggmlTypeIds, ggmlTypeInfo } from "./ggml-types.ts";
import { readGguf } from "./read.ts";
import { bytes, header, str, tensorInfo, u32 } from "./testing/bytes.ts";
import type { GgufArray, GgufValue } from "./value.ts";
import { writeGguf, type GgufTensorInput } from "./write.ts";

describe("GGUF writer layout", () => {
  it("writes header, metadata, tensor infos, padding and padded data exactly as specified", () => {
    const w = Uint8Array.from({ length: 8 }, (_, i) => i + 1);
    const b = Uint8Array.from({ length: 12 }, (_, i) => 100 + i);
    const written = writeGguf({
      metadata: [
        ["general.architecture", { type: "string", value: "llama" }],
        ["x", { type: "u32", value: 7 }],
      ],
      tensors: [
        { name: "w", dims: [2, 1], type: 0, data: w },
        { name: "b", dims: [3], type: 0, data: b },
      ],
    });
    const head = [header(2, 2), str("general.architecture"), u32(8), str("llama"), str("x"), u32(4), u32(7), tensorInfo("w", [2, 1], 0, 0), tensorInfo("b", [3], 0, 32)];
    const headLength = head.flat().length;
    const dataStart = Math.ceil(headLength / 32) * 32;
    const expected = bytes([...head, new Array(dataStart - headLength).fill(0), [...w], new Array(24).fill(0), [...b], new Array(20).fill(0)]);
    expect(written).toEqual(expected);
    const read = readGguf(written);
    expect(read.dataOffset).toBe(dataStart);
    expect(read.tensors.map((t) => [t.name, t.dims, t.offset, t.byteSize, [...t.data]])).toEqual([
      ["w", [2, 1], 0, 8, [...w]],
      ["b", [3], 32, 12, [...b]],
    ]);
  });
});

// --- arbitraries -----------------------------------------------------------------------

const text = fc.string({ unit: "binary", maxLength: 12 });

const scalar: fc.Arbitrary<GgufValue> = fc.oneof(
  fc.integer({ min: 0, max: 0xff }).map((value) => ({ type: "u8", value }) as const),
  fc.integer({ min: -0x80, max: 0x7f }).map((value) => ({ type: "i8", value }) as const),
  fc.integer({ min: 0, max: 0xffff }).map((value) => ({ type: "u16", value }) as const),
  fc.integer({ min: -0x8000, max: 0x7fff }).map((value) => ({ type: "i16", value }) as const),
  fc.integer({ min: 0, max: 0xffffffff }).map((value) => ({ type: "u32", value }) as const),
  fc.integer().map((value) => ({ type: "i32", value }) as const),
  fc.float().map((value) => ({ type: "f32", value }) as const),
  fc.double().map((value) => ({ type: "f64", value }) as const),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value) => ({ type: "u64", value }) as const),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ type: "i64", value }) as const),
  fc.boolean().map((value) => ({ type: "bool", value }) as const),
  text.map((value) => ({ type: "string", value }) as const),
);

const flatArray: fc.Arbitrary<GgufArray> = fc.oneof(
  fc.uint8Array({ maxLength: 8 }).map((value) => ({ type: "array", itemType: "u8", value }) as const),
  fc.int8Array({ maxLength: 8 }).map((value) => ({ type: "array", itemType: "i8", value }) as const),
  fc.uint16Array({ maxLength: 8 }).map((value) => ({ type: "array", itemType: "u16", value }) as const),
  fc.int16Array({ maxLength: 8 }).map((value) => ({ type: "array", itemType: "i16", value }) as const),
  fc.uint32Array({ maxLength: 8 }).map((value) => ({ type: "array", itemType: "u32", value }) as const),
  fc.int32Array({ maxLength: 8 }).map((value) => ({ type: "array", itemType: "i32", value }) as const),
  fc.float32Array({ maxLength: 8 }).map((value) => ({ type: "array", itemType: "f32", value }) as const),
  fc.float64Array({ maxLength: 8 }).map((value) => ({ type: "array", itemType: "f64", value }) as const),
  fc.bigUint64Array({ maxLength: 8 }).map((value) => ({ type: "array", itemType: "u64", value }) as const),
  fc.bigInt64Array({ maxLength: 8 }).map((value) => ({ type: "array", itemType: "i64", value }) as const),
  fc.array(fc.boolean(), { maxLength: 8 }).map((value) => ({ type: "array", itemType: "bool", value }) as const),
  fc.array(text, { maxLength: 8 }).map((value) => ({ type: "array", itemType: "string", value }) as const),
);

const value: fc.Arbitrary<GgufValue> = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 2, arbitrary: flatArray },
  { weight: 1, arbitrary: fc.array(flatArray, { maxLength: 3 }).map((value) => ({ type: "array", itemType: "array", value }) as const) },
);

const metadata = fc
  .uniqueArray(fc.tuple(text.filter((k) => k !== "general.alignment"), value), { maxLength: 8, selector: ([k]) => k })
  .chain((entries) =>
    fc.option(fc.constantFrom(1, 2, 8, 32, 64, 256), { nil: undefined }).map((alignment) =>
      alignment === undefined ? entries : [...entries, ["general.alignment", { type: "u32", value: alignment }] as [string, GgufValue]],
    ),
  );

const tensor = (name: string): fc.Arbitrary<GgufTensorInput> =>
  fc
    .tuple(fc.constantFrom(...ggmlTypeIds()), fc.integer({ min: 0, max: 3 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }))
    .chain(([type, rowBlocks, outer]) => {
      const info = ggmlTypeInfo(type)!;
      const dims = [rowBlocks * info.blockSize, ...outer];
      const size = (dims.reduce((p, d) => p * d, 1) / info.blockSize) * info.typeSize;
      return fc.uint8Array({ minLength: size, maxLength: size }).map((data) => ({ name, dims, type, data }));
    });

const tensors: fc.Arbitrary<GgufTensorInput[]> = fc
  .uniqueArray(fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 63 }), { maxLength: 5 })
  .chain((names) => fc.tuple(...names.map(tensor)).map((ts): GgufTensorInput[] => [...ts]));

// --- properties ------------------------------------------------------------------------

describe("GGUF write -> read round trip", () => {
  it("keeps every key, declared type, value, tensor name, dims, type and byte", () => {
    fc.assert(
      fc.property(metadata, tensors, (meta, ts) => {
        const file = writeGguf({ metadata: meta, tensors: ts });
        const read = readGguf(file);
        expect(read.version).toBe(3);
        expect(read.metadata).toEqual(new Map(meta));
        expect(read.tensors.map((t) => ({ name: t.name, dims: t.dims, type: t.type, data: t.data }))).toEqual(ts.map((t) => ({ ...t, data: t.data })));
        for (const t of read.tensors) expect(t.offset % read.alignment).toBe(0);
        expect(file.length % read.alignment).toBe(0);
        expect(writeGguf({ metadata: read.metadata, tensors: read.tensors })).toEqual(file);
      }),
      { numRuns: 200 },
    );
  });
});
