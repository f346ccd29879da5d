import { crc32 } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RefuteError } from "../../../core/errors.ts";
import { QUANT_TYPES, type QuantName } from "../../quant/types.ts";
import { sha256Hex } from "./provenance.ts";
import { readNative } from "./read.ts";
import { writeNative, type NativeTensorInput, type NativeWriteInput } from "./write.ts";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof RefuteError ? e.code : `not a RefuteError: ${String(e)}`;
  }
  return "no error";
}

/** prefix + header text (+ zero padding to 64) + data, assembled by hand. */
function rft(headerText: string, data: number[] = [], opts: { magic?: string; version?: number; headerLength?: bigint; pad?: boolean } = {}): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const prefix = new Uint8Array(16);
  prefix.set(new TextEncoder().encode(opts.magic ?? "RFT1"));
  new DataView(prefix.buffer).setUint32(4, opts.version ?? 2, true);
  new DataView(prefix.buffer).setBigUint64(8, opts.headerLength ?? BigInt(json.length), true);
  const head = [...prefix, ...json];
  while (opts.pad !== false && head.length % 64 !== 0) head.push(0);
  return Uint8Array.from([...head, ...data]);
}

const SHA = "ab".repeat(32);
const provenance = { source_format: "safetensors", source_files: [{ path: "model.safetensors", sha256: SHA }], quantization: "f32", tool: "refute", tool_version: "0.1.0", created_at: "2026-01-02T03:04:05.000Z" };
const header = (tensors: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ config: { hidden_size: 4 }, tokenizer: { model: { type: "BPE" } }, provenance, tensors, ...extra });
const tensor = (name: string, dtype: string, shape: number[], offset: number, byteLength: number, data?: number[]) => ({ name, dtype, shape, offset, byte_length: byteLength, crc32: data ? crc32(Uint8Array.from(data)) : 0 });

describe("RFT layout", () => {
  it("writes prefix, the header JSON in a fixed key order, zero padding to 64, and 64-aligned data", () => {
    const w = Uint8Array.from({ length: 8 }, (_, i) => i + 1);
    const b = Uint8Array.from({ length: 2 }, (_, i) => 9 + i);
    const written = writeNative({
      config: { hidden_size: 4 },
      tokenizer: { model: { type: "BPE" } },
      provenance: { source_format: "safetensors", source_files: [{ path: "model.safetensors", sha256: SHA }], quantization: "f32", tool_version: "0.1.0", created_at: "2026-01-02T03:04:05.000Z" },
      tensors: [
        { name: "w", dtype: "f32", shape: [1, 2], data: w },
        { name: "b", dtype: "bf16", shape: [1], data: b },
      ],
    });
    const text =
      '{"config":{"hidden_size":4},"tokenizer":{"model":{"type":"BPE"}},' +
      `"provenance":{"source_format":"safetensors","source_files":[{"path":"model.safetensors","sha256":"${SHA}"}],"quantization":"f32","tool":"refute","tool_version":"0.1.0","created_at":"2026-01-02T03:04:05.000Z"},` +
      `"tensors":[{"name":"w","dtype":"f32","shape":[1,2],"offset":0,"byte_length":8,"crc32":${crc32(w)}},{"name":"b","dtype":"bf16","shape":[1],"offset":64,"byte_length":2,"crc32":${crc32(b)}}]}`;
    const data = [...w, ...new Array(56).fill(0), ...b, ...new Array(62).fill(0)];
    expect(written).toEqual(rft(text, data));
    const read = readNative(written);
    expect(read.dataOffset % 64).toBe(0);
    expect(read.tensors.map((t) => [t.name, t.dtype, t.shape, t.offset, [...t.data]])).toEqual([
      ["w", "f32", [1, 2], 0, [...w]],
      ["b", "bf16", [1], 64, [...b]],
    ]);
    expect(read.provenance).toEqual(provenance);
  });

  it("records provenance extras, and sha256Hex is the file digest", () => {
    const out = writeNative({ config: {}, tokenizer: {}, provenance: { ...provenance, source_format: "gguf", enforced: false, created_at: undefined }, tensors: [] });
    const p = readNative(out).provenance;
    expect([p.source_format, p.enforced, Number.isNaN(Date.parse(p.created_at))]).toEqual(["gguf", false, false]);
    expect(sha256Hex(new TextEncoder().encode("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("readNative error codes", () => {
  const data16 = new Array(16).fill(1);
  const f32x4 = [tensor("w", "f32", [4], 0, 16, data16)];
  const cases: Array<[string, Uint8Array, string]> = [
    ["NATIVE_TRUNCATED", Uint8Array.from([0x52, 0x46, 0x54, 0x31, 2, 0]), "shorter than the prefix"],
    ["NATIVE_TRUNCATED", rft(header([]), [], { pad: false }).subarray(0, 16 + header([]).length), "the header padding is missing"],
    ["NATIVE_BAD_MAGIC", rft(header([]), [], { magic: "RFT2" }), "magic RFT2"],
    ["NATIVE_BAD_VERSION", rft(header([]), [], { version: 3 }), "version 3"],
    ["NATIVE_BAD_VERSION", rft(header([]), [], { version: 1 }), "version 1 (no checksums)"],
    ["NATIVE_CHECKSUM_MISMATCH", rft(header(f32x4), [...data16.slice(0, 15), 3]), "a tensor byte changed after its CRC-32 was recorded"],
    ["NATIVE_BAD_HEADER", rft(header([{ ...f32x4[0], crc32: undefined }]), data16), "a tensor without its CRC-32"],
    ["NATIVE_BAD_HEADER", rft(header([{ ...f32x4[0], crc32: 2 ** 32 }]), data16), "a CRC-32 of 2^32"],
    ["NATIVE_HEADER_TOO_LARGE", rft(header([]), [], { headerLength: 2n ** 40n }), "a header length of 2^40"],
    ["NATIVE_HEADER_TOO_LARGE", rft(header([]), [], { headerLength: 2n ** 64n - 1n }), "a header length of 2^64 - 1"],
    ["NATIVE_BAD_JSON", rft('{"config":'), "unterminated JSON"],
    ["NATIVE_BAD_JSON", Uint8Array.from([...rft("").subarray(0, 8), 2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, ...new Array(46).fill(0)]), "a header that is not UTF-8"],
    ["NATIVE_BAD_HEADER", rft("[]"), "a header that is an array"],
    ["NATIVE_BAD_HEADER", rft(JSON.stringify({ config: {}, tokenizer: {}, tensors: [] })), "no provenance"],
    ["NATIVE_BAD_HEADER", rft(header([], { provenance: { ...provenance, tool: "other" } })), "tool is not refute"],
    ["NATIVE_BAD_HEADER", rft(header([], { provenance: { ...provenance, source_files: [{ path: "x", sha256: "XYZ" }] } })), "a malformed sha256"],
    ["NATIVE_BAD_HEADER", rft(header([], { provenance: { ...provenance, created_at: "yesterday" } })), "a created_at that is not a time"],
    ["NATIVE_BAD_HEADER", rft(header([], { extra: 1 })), "an unknown top-level key"],
    ["NATIVE_BAD_HEADER", rft(header([], { chat_template: { template: 1, bos_token: "", eos_token: "" } })), "a chat template that is not a string"],
    ["NATIVE_BAD_HEADER", rft(header([], { chat_template: { template: "", bos_token: "", eos_token: "", tools: [] } })), "a chat template with an unknown key"],
    ["NATIVE_BAD_HEADER", rft(header([{ ...f32x4[0], offset: -64 }]), data16), "a negative offset"],
    ["NATIVE_UNKNOWN_DTYPE", rft(header([tensor("w", "q5_k", [256], 0, 176)])), "dtype q5_k"],
    ["NATIVE_BAD_SHAPE", rft(header([tensor("w", "q4_k", [2, 100], 0, 144)])), "q4_k rows of 100 values"],
    ["NATIVE_BAD_SHAPE", rft(header([tensor("w", "f32", [], 0, 4)])), "an empty shape"],
    ["NATIVE_BAD_SHAPE", rft(header([tensor("w", "f32", [-4], 0, 16)])), "a negative dim"],
    ["NATIVE_SIZE_MISMATCH", rft(header([tensor("w", "q8_0", [2, 32], 0, 64)]), new Array(68).fill(0)), "q8_0 [2, 32] is 68 bytes, not 64"],
    ["NATIVE_MISALIGNED", rft(header([tensor("w", "f32", [4], 32, 16)]), new Array(48).fill(0)), "offset 32"],
    ["NATIVE_OFFSET_OUT_OF_RANGE", rft(header(f32x4), new Array(8).fill(0)), "16 bytes of data, 8 present"],
    ["NATIVE_OFFSET_OUT_OF_RANGE", rft(header([tensor("w", "f32", [2 ** 50], 0, 2 ** 52)])), "a 2^52-byte tensor"],
    ["NATIVE_TENSOR_OVERLAP", rft(header([tensor("a", "f32", [32], 0, 128), tensor("b", "f32", [4], 64, 16)]), new Array(128).fill(0)), "a: 0..128, b: 64..80"],
    ["NATIVE_DUPLICATE_TENSOR", rft(header([tensor("a", "f32", [4], 0, 16), tensor("a", "f32", [4], 64, 16)]), new Array(80).fill(0)), "tensor a twice"],
  ];
  for (const [code, file, why] of cases) {
    it(`${code}: ${why}`, () => expect(codeOf(() => readNative(file))).toBe(code));
  }

  it("the well-formed variant of those files reads", () => {
    expect(readNative(rft(header(f32x4), data16)).tensors[0].data).toEqual(Uint8Array.from(data16));
  });

  it("a chat template is kept, and a file without one has none", () => {
    const chatTemplate = { template: "{{ messages[0].content }}", bosToken: "<s>", eosToken: "</s>" };
    const base = { config: {}, tokenizer: {}, provenance: { ...provenance }, tensors: [] };
    expect(readNative(writeNative({ ...base, chatTemplate })).chatTemplate).toEqual(chatTemplate);
    expect(readNative(writeNative(base)).chatTemplate).toBeNull();
  });
});

describe("writeNative refuses bad input with the same codes", () => {
  const base: NativeWriteInput = { config: {}, tokenizer: {}, provenance: { ...provenance }, tensors: [] };
  it("NATIVE_SIZE_MISMATCH, NATIVE_UNKNOWN_DTYPE, NATIVE_BAD_SHAPE, NATIVE_DUPLICATE_TENSOR, NATIVE_BAD_HEADER", () => {
    const t = (over: Partial<NativeTensorInput>): NativeTensorInput => ({ name: "w", dtype: "f32", shape: [4], data: new Uint8Array(16), ...over });
    expect(codeOf(() => writeNative({ ...base, tensors: [t({ data: new Uint8Array(15) })] }))).toBe("NATIVE_SIZE_MISMATCH");
    expect(codeOf(() => writeNative({ ...base, tensors: [t({ dtype: "q3_k" as QuantName })] }))).toBe("NATIVE_UNKNOWN_DTYPE");
    expect(codeOf(() => writeNative({ ...base, tensors: [t({ dtype: "q4_0", shape: [16], data: new Uint8Array(9) })] }))).toBe("NATIVE_BAD_SHAPE");
    expect(codeOf(() => writeNative({ ...base, tensors: [t({}), t({})] }))).toBe("NATIVE_DUPLICATE_TENSOR");
    expect(codeOf(() => writeNative({ ...base, config: { n: 1n } }))).toBe("NATIVE_BAD_HEADER");
    expect(codeOf(() => writeNative({ ...base, provenance: { ...provenance, source_files: [{ path: "a", sha256: "0" }] } }))).toBe("NATIVE_BAD_HEADER");
  });
});

// --- round trip --------------------------------------------------------------------------

const dtypes = Object.keys(QUANT_TYPES) as QuantName[];

const tensorInput = (name: string): fc.Arbitrary<NativeTensorInput> =>
  fc
    .tuple(fc.constantFrom(...dtypes), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }), fc.integer({ min: 0, max: 2 }))
    .chain(([dtype, outer, innerBlocks]) => {
      const t = QUANT_TYPES[dtype];
      const shape = [...outer, innerBlocks * t.blockSize];
      const size = (shape.reduce((p, d) => p * d, 1) / t.blockSize) * t.bytesPerBlock;
      return fc.uint8Array({ minLength: size, maxLength: size }).map((data) => ({ name, dtype, shape, data }));
    });

const input: fc.Arbitrary<NativeWriteInput> = fc.record({
  config: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 }),
  tokenizer: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 }),
  provenance: fc.record({
    source_format: fc.constantFrom("safetensors", "gguf"),
    source_files: fc.array(fc.record({ path: fc.string(), sha256: fc.stringMatching(/^[0-9a-f]{64}$/) }), { maxLength: 3 }),
    quantization: fc.constantFrom(...dtypes),
    tool_version: fc.string(),
    created_at: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
  }),
  tensors: fc
    .uniqueArray(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 5 })
    .chain((names) => fc.tuple(...names.map(tensorInput)).map((ts): NativeTensorInput[] => [...ts])),
});

describe("RFT write -> read round trip", () => {
  it("keeps config, tokenizer, provenance and every tensor; writing is deterministic", () => {
    fc.assert(
      fc.property(input, (x) => {
        const bytes = writeNative(x);
        expect(writeNative(x)).toEqual(bytes);
        const read = readNative(bytes);
        expect(read.config).toEqual(JSON.parse(JSON.stringify(x.config)));
        expect(read.tokenizer).toEqual(JSON.parse(JSON.stringify(x.tokenizer)));
        expect(read.provenance).toEqual({ ...x.provenance, tool: "refute" });
        expect(read.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.data }))).toEqual(x.tensors);
        for (const t of read.tensors) expect((read.dataOffset + t.offset) % 64).toBe(0);
        expect(
          writeNative({ config: read.config, tokenizer: read.tokenizer, provenance: read.provenance, tensors: read.tensors }),
        ).toEqual(bytes);
      }),
      { numRuns: 150 },
    );
  });
});

describe("readNative on hostile bytes", () => {
  const RUNS = process.env.REFUTE_FUZZ_LONG === "1" ? 10_000 : 300;
  const seed = writeNative({ config: { a: 1 }, tokenizer: { b: [1, 2] }, provenance: { ...provenance }, tensors: [{ name: "w", dtype: "q8_0", shape: [2, 32], data: new Uint8Array(68) }] });
  it(`mutated files parse or throw a RefuteError (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })), { minLength: 1, maxLength: 4 }), fc.option(fc.nat(), { nil: undefined }), (sets, cut) => {
        let b = seed.slice();
        for (const [at, v] of sets) b.set(v.subarray(0, b.length - (at % b.length)), at % b.length);
        if (cut !== undefined) b = b.slice(0, cut % (b.length + 1));
        try {
          readNative(b);
        } catch (e) {
          if (!(e instanceof RefuteError)) throw new Error(`readNative threw ${String(e)}`);
          expect(e.code).toMatch(/^NATIVE_[A-Z_]+$/);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
