// Hostile input: random and mutated GGUF bytes must either parse or throw a RefuteError, fast,
// with tensor data inside the input and no more metadata items than input bytes.
// A few hundred cases per property normally; REFUTE_FUZZ_LONG=1 runs 10 000.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RefuteError } from "../../../core/errors.ts";
import { readGguf, type GgufFile } from "./read.ts";
import type { GgufValue } from "./value.ts";
import { writeGguf } from "./write.ts";

const RUNS = process.env.REFUTE_FUZZ_LONG === "1" ? 10_000 : 300;
const MAX_MS = 2000;

const seeds: Uint8Array[] = [
  writeGguf({ metadata: [], tensors: [] }),
  writeGguf({
    metadata: [
      ["general.architecture", { type: "string", value: "llama" }],
      ["llama.context_length", { type: "u32", value: 2048 }],
      ["tokenizer.ggml.tokens", { type: "array", itemType: "string", value: ["<s>", "</s>", "a", "b"] }],
      ["tokenizer.ggml.scores", { type: "array", itemType: "f32", value: new Float32Array([0, 0, -1, -2]) }],
      ["nested", { type: "array", itemType: "array", value: [{ type: "array", itemType: "i16", value: new Int16Array([1, -2]) }] }],
      ["flag", { type: "bool", value: true }],
      ["big", { type: "u64", value: 2n ** 40n }],
    ],
    tensors: [
      { name: "token_embd.weight", dims: [32, 4], type: 8, data: new Uint8Array(4 * 34).fill(7) },
      { name: "output_norm.weight", dims: [32], type: 0, data: new Uint8Array(128).fill(1) },
    ],
  }),
  writeGguf({
    metadata: [["general.alignment", { type: "u32", value: 64 }]],
    tensors: [{ name: "q", dims: [256, 2], type: 12, data: new Uint8Array(288) }],
  }),
];

function countItems(v: GgufValue): number {
  if (v.type !== "array") return 1;
  if (v.itemType === "array") return 1 + v.value.reduce((s, inner) => s + countItems(inner), 0);
  return 1 + v.value.length;
}

/** Parses or throws a RefuteError within MAX_MS; a parse stays inside the input's bytes. */
function checkHostile(input: Uint8Array): void {
  const t0 = performance.now();
  let parsed: GgufFile | undefined;
  try {
    parsed = readGguf(input);
  } catch (e) {
    if (!(e instanceof RefuteError)) throw new Error(`readGguf threw ${String(e)} instead of a RefuteError`);
    expect(e.code).toMatch(/^GGUF_[A-Z0-9_]+$/);
  }
  expect(performance.now() - t0).toBeLessThan(MAX_MS);
  if (parsed === undefined) return;
  let items = 0;
  for (const v of parsed.metadata.values()) items += countItems(v);
  expect(items).toBeLessThanOrEqual(input.length);
  for (const t of parsed.tensors) {
    expect(t.data.buffer).toBe(input.buffer);
    expect(t.data.byteOffset + t.data.byteLength).toBeLessThanOrEqual(input.byteOffset + input.byteLength);
    expect(t.data.byteLength).toBe(t.byteSize);
  }
}

const huge = fc.oneof(fc.bigUint64Array({ minLength: 1, maxLength: 1 }).map((a) => a[0]), fc.constantFrom(2n ** 64n - 1n, 2n ** 63n, 2n ** 32n, 2n ** 31n, 0xffffffffn, 1n << 40n));

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("u64" as const), at: fc.nat(), value: huge }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(seed: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = seed.slice();
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === "set") b.set(m.bytes.subarray(0, b.length - at), at);
    else if (m.kind === "u64" && at + 8 <= b.length) new DataView(b.buffer).setBigUint64(at, m.value, true);
    else if (m.kind === "truncate") b = b.slice(0, at);
    else if (m.kind === "insert") b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
  }
  return b;
}

describe("readGguf on hostile bytes", () => {
  it(`random bytes behind a valid magic and version (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.constantFrom(2, 3), (rest, version) => {
        checkHostile(Uint8Array.from([0x47, 0x47, 0x55, 0x46, version, 0, 0, 0, ...rest]));
      }),
      { numRuns: RUNS },
    );
  });

  it(`mutated valid files (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, ms) => checkHostile(mutate(seed, ms))),
      { numRuns: RUNS },
    );
  });

  it("the seed files themselves parse", () => {
    for (const s of seeds) expect(() => readGguf(s)).not.toThrow();
  });
});
