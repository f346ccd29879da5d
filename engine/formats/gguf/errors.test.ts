// Each GGUF error code, provoked by a small hand-made file.

import { describe, expect, it } from "vitest";
import { RefuteError } from "../../../core/errors.ts";
import { metadataNumber, metadataString, metadataStrings } from "./metadata.ts";
import { readGguf } from "./read.ts";
import { bytes, header, str, tensorInfo, u32, u64 } from "./testing/bytes.ts";
import { writeGguf, type GgufTensorInput } from "./write.ts";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof RefuteError ? e.code : `not a RefuteError: ${String(e)}`;
  }
  return "no error";
}

const U32 = 4;
const STRING = 8;
const ARRAY = 9;
const BOOL = 7;
const F32 = 0;
const Q8_0 = 8;

describe("readGguf error codes", () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ["GGUF_TRUNCATED", bytes([[0x47, 0x47, 0x55, 0x46]]), "only the magic"],
    ["GGUF_TRUNCATED", bytes([header(0, 1), str("a"), u32(U32), [1, 2]]), "a u32 value cut short"],
    ["GGUF_BAD_MAGIC", bytes([[0x47, 0x47, 0x55, 0x58], u32(3), u64(0), u64(0)]), "GGUX"],
    ["GGUF_BAD_VERSION", bytes([header(0, 0, 1)]), "version 1 (u32 counts)"],
    ["GGUF_BAD_VERSION", bytes([header(0, 0, 0x03000000)]), "big-endian version 3"],
    ["GGUF_COUNT_TOO_LARGE", bytes([header(2n ** 40n, 0)]), "2^40 tensors"],
    ["GGUF_COUNT_TOO_LARGE", bytes([header(0, 2n ** 63n)]), "2^63 metadata entries"],
    ["GGUF_COUNT_TOO_LARGE", bytes([header(0, 1), str("a"), u32(ARRAY), u32(U32), u64(2n ** 62n)]), "2^62 array items"],
    ["GGUF_STRING_TOO_LONG", bytes([header(0, 1), u64(2n ** 50n), new Array(16).fill(0x61)]), "a key claiming 2^50 bytes"],
    ["GGUF_STRING_TOO_LONG", bytes([header(0, 1), str("a"), u32(STRING), u64(100), [0x61, 0x62]]), "a string value longer than the rest"],
    ["GGUF_BAD_UTF8", bytes([header(0, 1), u64(2), [0xff, 0xfe], u32(U32), u32(0)]), "a key that is not UTF-8"],
    ["GGUF_BAD_VALUE_TYPE", bytes([header(0, 1), str("a"), u32(13), u32(0)]), "value type 13"],
    ["GGUF_BAD_VALUE", bytes([header(0, 1), str("a"), u32(BOOL), [2]]), "a bool byte of 2"],
    ["GGUF_DUPLICATE_KEY", bytes([header(0, 2), str("a"), u32(U32), u32(1), str("a"), u32(U32), u32(2)]), "key a twice"],
    ["GGUF_BAD_ALIGNMENT", bytes([header(0, 1), str("general.alignment"), u32(U32), u32(24)]), "alignment 24"],
    ["GGUF_BAD_ALIGNMENT", bytes([header(0, 1), str("general.alignment"), u32(5), u32(32)]), "alignment stored as i32"],
    [
      "GGUF_NESTING_TOO_DEEP",
      bytes([header(0, 1), str("a"), u32(ARRAY), ...Array.from({ length: 9 }, () => [...u32(ARRAY), ...u64(1)]), u32(U32), u64(0)]),
      "arrays nested 10 deep",
    ],
    ["GGUF_NAME_TOO_LONG", bytes([header(1, 0), tensorInfo("x".repeat(64), [4], F32, 0)], 128), "a 64-byte tensor name"],
    ["GGUF_TOO_MANY_DIMS", bytes([header(1, 0), tensorInfo("t", [1, 1, 1, 1, 1], F32, 0)], 128), "5 dims"],
    ["GGUF_UNKNOWN_TYPE", bytes([header(1, 0), tensorInfo("t", [4], 4, 0)], 128), "ggml type 4 (the removed Q4_2)"],
    ["GGUF_BAD_SHAPE", bytes([header(1, 0), tensorInfo("t", [33], Q8_0, 0)], 128), "Q8_0 with 33 values per row"],
    ["GGUF_MISALIGNED", bytes([header(1, 0), tensorInfo("t", [4], F32, 16)], 128), "data offset 16 with alignment 32"],
    ["GGUF_OFFSET_OUT_OF_RANGE", bytes([header(1, 0), tensorInfo("t", [4], F32, 64)], 96), "data past the end of the file"],
    ["GGUF_OFFSET_OUT_OF_RANGE", bytes([header(1, 0), tensorInfo("t", [2 ** 40, 2 ** 12], F32, 0)], 96), "a tensor larger than the file"],
    ["GGUF_OFFSET_OUT_OF_RANGE", bytes([header(1, 0), tensorInfo("t", [4], F32, 2n ** 64n - 32n)], 96), "an offset near 2^64"],
    ["GGUF_TENSOR_OVERLAP", bytes([header(2, 0), tensorInfo("a", [16], F32, 0), tensorInfo("b", [4], F32, 32)], 192), "a: 0..64 and b: 32..48"],
    ["GGUF_DUPLICATE_TENSOR", bytes([header(2, 0), tensorInfo("a", [4], F32, 0), tensorInfo("a", [4], F32, 32)], 192), "tensor a twice"],
  ];
  for (const [code, file, why] of cases) {
    it(`${code}: ${why}`, () => expect(codeOf(() => readGguf(file))).toBe(code));
  }

  it("accepts the smallest valid file and a zero-size tensor", () => {
    expect(readGguf(bytes([header(0, 0)])).tensors).toEqual([]);
    const t = readGguf(bytes([header(1, 0), tensorInfo("empty", [0, 3], F32, 0)], 96)).tensors[0];
    expect([t.byteSize, t.data.length]).toEqual([0, 0]);
  });
});

describe("writeGguf error codes", () => {
  const f32 = (name: string, n: number): GgufTensorInput => ({ name, dims: [n], type: F32, data: new Uint8Array(4 * n) });
  const cases: Array<[string, () => unknown, string]> = [
    ["GGUF_BAD_VALUE", () => writeGguf({ metadata: [["a", { type: "u8", value: 300 }]], tensors: [] }), "300 as u8"],
    ["GGUF_BAD_VALUE", () => writeGguf({ metadata: [["a", { type: "i32", value: 1.5 }]], tensors: [] }), "1.5 as i32"],
    ["GGUF_BAD_VALUE", () => writeGguf({ metadata: [["a", { type: "u64", value: -1n }]], tensors: [] }), "-1 as u64"],
    ["GGUF_BAD_VALUE", () => writeGguf({ metadata: [["a", { type: "array", itemType: "u32", value: new Int32Array(2) }]], tensors: [] } as never), "an Int32Array declared u32"],
    ["GGUF_BAD_VALUE", () => writeGguf({ metadata: [["a", { type: "x", value: 1 }]], tensors: [] } as never), "an unknown value type"],
    ["GGUF_DUPLICATE_KEY", () => writeGguf({ metadata: [["a", { type: "bool", value: true }], ["a", { type: "bool", value: false }]], tensors: [] }), "key a twice"],
    ["GGUF_BAD_ALIGNMENT", () => writeGguf({ metadata: [["general.alignment", { type: "u32", value: 48 }]], tensors: [] }), "alignment 48"],
    ["GGUF_NAME_TOO_LONG", () => writeGguf({ metadata: [], tensors: [f32("y".repeat(64), 4)] }), "a 64-byte name"],
    ["GGUF_DUPLICATE_TENSOR", () => writeGguf({ metadata: [], tensors: [f32("a", 4), f32("a", 4)] }), "tensor a twice"],
    ["GGUF_TOO_MANY_DIMS", () => writeGguf({ metadata: [], tensors: [{ ...f32("a", 1), dims: [1, 1, 1, 1, 1] }] }), "5 dims"],
    ["GGUF_UNKNOWN_TYPE", () => writeGguf({ metadata: [], tensors: [{ ...f32("a", 4), type: 5 }] }), "ggml type 5"],
    ["GGUF_BAD_SHAPE", () => writeGguf({ metadata: [], tensors: [{ name: "a", dims: [31], type: Q8_0, data: new Uint8Array(34) }] }), "Q8_0 with 31 values"],
    ["GGUF_SIZE_MISMATCH", () => writeGguf({ metadata: [], tensors: [{ ...f32("a", 4), data: new Uint8Array(15) }] }), "15 bytes for 4 f32"],
  ];
  for (const [code, fn, why] of cases) {
    it(`${code}: ${why}`, () => expect(codeOf(fn)).toBe(code));
  }
});

describe("typed metadata access", () => {
  const meta = readGguf(
    writeGguf({
      metadata: [
        ["n", { type: "u64", value: 4096n }],
        ["s", { type: "string", value: "llama" }],
        ["l", { type: "array", itemType: "string", value: ["a", "b"] }],
      ],
      tensors: [],
    }),
  ).metadata;
  it("reads numbers of any integer width, strings and string arrays", () => {
    expect([metadataNumber(meta, "n"), metadataString(meta, "s"), metadataStrings(meta, "l")]).toEqual([4096, "llama", ["a", "b"]]);
  });
  it("GGUF_METADATA_MISSING and GGUF_METADATA_TYPE", () => {
    expect(codeOf(() => metadataNumber(meta, "missing"))).toBe("GGUF_METADATA_MISSING");
    expect(codeOf(() => metadataNumber(meta, "s"))).toBe("GGUF_METADATA_TYPE");
    expect(codeOf(() => metadataString(meta, "n"))).toBe("GGUF_METADATA_TYPE");
    expect(codeOf(() => metadataStrings(meta, "s"))).toBe("GGUF_METADATA_TYPE");
  });
});
