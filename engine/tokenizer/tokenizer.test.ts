import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { Tokenizer as HfTokenizer } from "tokenizers";
import { describe, expect, it } from "vitest";
import { ZOO_DIR, REPO_ROOT } from "../load.ts";
import { RefuteError } from "../../core/errors.ts";
import { tokenizerFromJson } from "./tokenizer.ts";

const SLUGS = ["tiny-llama", "tiny-qwen2", "tiny-gpt2"];

function load(slug: string) {
  return tokenizerFromJson(JSON.parse(readFileSync(join(ZOO_DIR, slug, "tokenizer.json"), "utf8")));
}

// Strings that stress pre-tokenization: whitespace runs, digits, contractions, scripts, emoji.
const textArb = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(" ", "\n", "\t", "a", "B", "7", "'", "s", "é", "日", "🎉", "\u00a0", "\u0085", "<|endoftext|>"), maxLength: 30 }),
);

describe.each(SLUGS)("tokenizer of %s", (slug) => {
  const tokenizer = load(slug);

  it("decode(encode(text)) returns the text", () => {
    fc.assert(fc.property(textArb, (text) => tokenizer.decode(tokenizer.encode(text)) === text), { numRuns: 300 });
  });

  it("encodes exactly as Hugging Face's tokenizers library (an independent implementation)", async () => {
    const hf = HfTokenizer.fromFile(join(ZOO_DIR, slug, "tokenizer.json"));
    await fc.assert(
      fc.asyncProperty(textArb, async (text) => {
        const expected = (await hf.encode(text, null, { addSpecialTokens: false })).getIds();
        expect(tokenizer.encode(text)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  const vectors = join(REPO_ROOT, "oracle", "tokenizer", `${slug}.json`);
  it("equals every committed oracle tokenizer vector", () => {
    const file = JSON.parse(readFileSync(vectors, "utf8")) as { cases: { text: string; ids: number[] }[] };
    expect(file.cases.length).toBeGreaterThanOrEqual(200);
    for (const c of file.cases) expect({ text: c.text, ids: tokenizer.encode(c.text) }).toEqual({ text: c.text, ids: c.ids });
  });
});

describe("tokenizer.json validation", () => {
  const base = JSON.parse(readFileSync(join(ZOO_DIR, "tiny-gpt2", "tokenizer.json"), "utf8"));

  it("accepts merges as [a, b] pairs as well as 'a b' strings", () => {
    const pairs = { ...base, model: { ...base.model, merges: base.model.merges.map((m: string | string[]) => (typeof m === "string" ? m.split(" ") : m)) } };
    const strings = { ...base, model: { ...base.model, merges: base.model.merges.map((m: string | string[]) => (typeof m === "string" ? m : m.join(" "))) } };
    const text = "The capital of France is Paris.";
    expect(tokenizerFromJson(pairs).encode(text)).toEqual(tokenizerFromJson(strings).encode(text));
  });

  it("reads byte-level BPE from the pre-tokenizer too: without a decoder, the same ids", () => {
    const text = "Héllo wörld, 1234 🎉";
    expect(tokenizerFromJson({ ...base, decoder: null }).encode(text)).toEqual(tokenizerFromJson(base).encode(text));
  });

  it.each([
    ["a non-BPE model", { ...base, model: { ...base.model, type: "Unigram" } }, "model.type"],
    ["a malformed merge", { ...base, model: { ...base.model, merges: ["a b c"] } }, "model.merges[0]"],
    ["a negative vocab id", { ...base, model: { ...base.model, vocab: { a: -1 } } }, 'model.vocab["a"]'],
    ["an unknown pre-tokenizer", { ...base, pre_tokenizer: { type: "Metaspace" } }, "pre_tokenizer"],
  ])("rejects %s, naming the field", (_what, json, field) => {
    let error: unknown;
    try {
      tokenizerFromJson(json);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RefuteError);
    expect((error as RefuteError).facts.field).toBe(field);
  });
});
