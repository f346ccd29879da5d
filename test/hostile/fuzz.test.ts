// Hostile input: fast-check fuzzing of the parsers that read untrusted files: SafeTensors,
// tokenizer.json and claim YAML (GGUF and RFT have their own fuzz tests beside their
// readers). Every input either parses or fails with a RefuteError (or a claim problem that
// names file and field); never another exception, a hang, or an allocation beyond the input.
// A few hundred cases per property normally; REFUTE_FUZZ_LONG=1 runs 10 000.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isRefuteError } from "../../core/errors.ts";
import { readSafeTensorsBytes } from "../../engine/formats/safetensors/read.ts";
import { writeSafeTensorsBytes } from "../../engine/formats/safetensors/write.ts";
import { ZOO_DIR } from "../../engine/load.ts";
import { tokenizerFromJson } from "../../engine/tokenizer/tokenizer.ts";
import { parseClaimFile } from "../../gates/claims.ts";

const RUNS = process.env.REFUTE_FUZZ_LONG === "1" ? 10_000 : 300;
const LONG = RUNS > 1000 ? 600_000 : 60_000;

/** Runs fn; a RefuteError is a clean refusal, anything else fails the property. */
function refusesCleanly(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (isRefuteError(e)) return true;
    throw e;
  }
}

// Byte-level mutations of a valid input: flips, overwrites, truncation, insertion.
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
);

type Mutation = { kind: string; at: number; bit?: number; value?: number; bytes?: Uint8Array };

function mutate(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = input.slice();
  for (const m of mutations) {
    const at = bytes.length ? m.at % bytes.length : 0;
    if (m.kind === "flip") bytes[at] ^= 1 << (m.bit as number);
    else if (m.kind === "set") bytes[at] = m.value as number;
    else if (m.kind === "truncate") bytes = bytes.subarray(0, at);
    else {
      const grown = new Uint8Array(bytes.length + (m.bytes as Uint8Array).length);
      grown.set(bytes.subarray(0, at));
      grown.set(m.bytes as Uint8Array, at);
      grown.set(bytes.subarray(at), at + (m.bytes as Uint8Array).length);
      bytes = grown;
    }
  }
  return bytes;
}

describe("SafeTensors reader under mutation", () => {
  const valid = writeSafeTensorsBytes([
    { name: "a.weight", dtype: "f32", shape: [4, 8], data: new Uint8Array(128).fill(7) },
    { name: "b.bias", dtype: "bf16", shape: [8], data: new Uint8Array(16).fill(3) },
  ]);

  it("parses or refuses with a RefuteError; never returns a view outside the file", () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const bytes = mutate(valid, mutations);
        return refusesCleanly(() => {
          for (const t of readSafeTensorsBytes(bytes, "fuzz.safetensors")) {
            expect(t.data.byteOffset + t.data.byteLength).toBeLessThanOrEqual(bytes.byteOffset + bytes.byteLength);
          }
        });
      }),
      { numRuns: RUNS },
    );
  }, LONG);

  it("refuses a header length pointing far past the file without allocating it", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n << 20n, max: (1n << 64n) - 1n }), (length) => {
        const bytes = valid.slice();
        new DataView(bytes.buffer).setBigUint64(0, length, true);
        return refusesCleanly(() => readSafeTensorsBytes(bytes, "fuzz.safetensors"));
      }),
      { numRuns: RUNS },
    );
  }, LONG);
});

describe("tokenizer.json under mutation", () => {
  const base = JSON.parse(readFileSync(join(ZOO_DIR, "tiny-qwen2", "tokenizer.json"), "utf8"));
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small" }, fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 8 }), fc.array(tie("value"), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), tie("value"), { maxKeys: 3 })),
  })).value;
  const field = fc.constantFrom("model", "model.vocab", "model.merges", "model.type", "added_tokens", "pre_tokenizer", "pre_tokenizer.pretokenizers", "decoder", "model.ignore_merges");

  it("builds a tokenizer that encodes and decodes, or refuses with a RefuteError", () => {
    fc.assert(
      fc.property(field, json, fc.string({ maxLength: 24 }), (path, value, text) => {
        const doc = structuredClone(base);
        const keys = path.split(".");
        let node = doc;
        for (const k of keys.slice(0, -1)) node = node[k] ?? (node[k] = {});
        node[keys[keys.length - 1]] = value;
        return refusesCleanly(() => {
          const tokenizer = tokenizerFromJson(doc);
          tokenizer.decode(tokenizer.encode(text));
        });
      }),
      { numRuns: RUNS },
    );
  }, LONG);
});

describe("claim YAML under fuzzing", () => {
  const valid = readFileSync("claims/canary.yaml", "utf8");

  it("arbitrary text gives claims or problems naming the file, never an exception", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const { problems } = parseClaimFile("fuzz.yaml", text);
        for (const p of problems) expect(p.file).toBe("fuzz.yaml");
        return true;
      }),
      { numRuns: RUNS },
    );
  }, LONG);

  it("a mutated valid claim file gives claims or problems naming the file, never an exception", () => {
    fc.assert(
      fc.property(fc.nat({ max: valid.length }), fc.nat({ max: 40 }), fc.string({ maxLength: 12 }), (at, cut, insert) => {
        const text = valid.slice(0, at) + insert + valid.slice(at + cut);
        const { problems } = parseClaimFile("fuzz.yaml", text);
        for (const p of problems) expect(p.file).toBe("fuzz.yaml");
        return true;
      }),
      { numRuns: RUNS },
    );
  }, LONG);
});
