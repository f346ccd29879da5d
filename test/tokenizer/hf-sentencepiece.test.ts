// Hugging Face's tokenizer.json form of a SentencePiece vocabulary (Llama 2, TinyLlama,
// Mistral): a BPE model over the text's own characters with byte_fallback, spaces as "▁" put
// there by the normalizer (Prepend + Replace: TinyLlama's and Llama 2's legacy form) or by a
// Metaspace pre-tokenizer (prepend_scheme "first": the legacy=false form). No such file can be
// downloaded here, so it is built from llama.cpp's llama-spm and phi-3 vocabularies the way
// transformers' LlamaConverter builds it (every split of a token into two tokens is a merge,
// ranked by the merged token's score). Hugging Face's tokenizers library, an independent
// implementation, tokenizes the file as the .inp/.out vectors say (so the file is faithful),
// and refute's tokenizer must agree with that library id for id, on the vectors and on
// generated strings, and decode as it does.

import fc from "fast-check";
import { Tokenizer as HfTokenizer } from "tokenizers";
import { describe, expect, it } from "vitest";
import { llamaVocabularies } from "../../core/llama-vocabularies.ts";
import { tokenizerJsonOf } from "../../engine/open-tokenizer.ts";
import { tokenizerFromJson } from "../../engine/tokenizer/tokenizer.ts";

interface SpmJson {
  added_tokens: { id: number; content: string; special: boolean }[];
  model: { vocab: Record<string, number>; scores: number[] };
}

/** Merges as LlamaConverter makes them: each (left, right) whose concatenation is a token, best-scored token first, then by the sides' ids. */
function mergesByScore(vocab: Record<string, number>, scores: number[]): [string, string][] {
  const merges: { left: string; right: string; score: number; l: number; r: number }[] = [];
  for (const [token, id] of Object.entries(vocab)) {
    const chars = Array.from(token);
    for (let i = 1; i < chars.length; i++) {
      const left = chars.slice(0, i).join("");
      const right = chars.slice(i).join("");
      if (Object.hasOwn(vocab, left) && Object.hasOwn(vocab, right)) merges.push({ left, right, score: scores[id], l: vocab[left], r: vocab[right] });
    }
  }
  merges.sort((a, b) => b.score - a.score || a.l - b.l || a.r - b.r);
  return merges.map((m) => [m.left, m.right]);
}

type Form = "legacy" | "metaspace";

function hfSentencePieceJson(spm: SpmJson, form: Form): Record<string, unknown> {
  const model = { type: "BPE", dropout: null, unk_token: "<unk>", continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab: spm.model.vocab, merges: mergesByScore(spm.model.vocab, spm.model.scores) };
  const added = spm.added_tokens.map((t) => ({ ...t, single_word: false, lstrip: false, rstrip: false, normalized: false }));
  // LlamaConverter's decoder, in both forms
  const decoder = { type: "Sequence", decoders: [{ type: "Replace", pattern: { String: "▁" }, content: " " }, { type: "ByteFallback" }, { type: "Fuse" }, { type: "Strip", content: " ", start: 1, stop: 0 }] };
  const legacy = { normalizer: { type: "Sequence", normalizers: [{ type: "Prepend", prepend: "▁" }, { type: "Replace", pattern: { String: " " }, content: "▁" }] }, pre_tokenizer: null };
  const metaspace = { normalizer: null, pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "first", split: false } };
  // TinyLlama's: a BOS before the text
  const bos = { type: "TemplateProcessing", single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }], pair: [], special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } } };
  return { version: "1.0", truncation: null, padding: null, added_tokens: added, ...(form === "legacy" ? legacy : metaspace), post_processor: bos, decoder, model };
}

const textArb = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(" ", "  ", "\n", "\t", "a", "B", "7", "'", "s", "é", "日", "🎉", "\u00a0", "<s>", "</s>", "<unk>", "▁", "Hello"), maxLength: 24 }),
);

describe.each(["llama-spm", "phi-3"])("Hugging Face's SentencePiece-style BPE on %s", (name) => {
  const v = llamaVocabularies().find((x) => x.name === name)!;
  const spm = tokenizerJsonOf(v.gguf) as SpmJson;

  // The vectors are the legacy form's (Metaspace puts no second "▁" before a text that starts with a space).
  it("Hugging Face's library reproduces the vocabulary's test vectors from the legacy form (the file is faithful)", async () => {
    const hf = HfTokenizer.fromString(JSON.stringify(hfSentencePieceJson(spm, "legacy")));
    const wrong: string[] = [];
    for (const c of v.cases!) if ((await hf.encode(c.text, null, { addSpecialTokens: false })).getIds().join(" ") !== c.ids.join(" ")) wrong.push(JSON.stringify(c.text));
    expect(wrong).toEqual([]);
  });

  describe.each<Form>(["legacy", "metaspace"])("the %s form", (form) => {
    const json = hfSentencePieceJson(spm, form);
    const hf = HfTokenizer.fromString(JSON.stringify(json));
    const ours = tokenizerFromJson(json);
    const hfIds = async (text: string) => (await hf.encode(text, null, { addSpecialTokens: false })).getIds();

    it("refute's tokenizer equals Hugging Face's on every test string", async () => {
      const mismatches: string[] = [];
      for (const c of v.cases!) {
        const expected = await hfIds(c.text);
        if (ours.encode(c.text).join(" ") !== expected.join(" ")) mismatches.push(`${JSON.stringify(c.text)}: ${ours.encode(c.text).join(" ")} (expected ${expected.join(" ")})`);
      }
      expect(mismatches).toEqual([]);
    });

    it("and on generated strings, encoding (with and without the BOS the post-processor adds) and decoding", async () => {
      await fc.assert(
        fc.asyncProperty(textArb, async (text) => {
          const ids = await hfIds(text);
          expect(ours.encode(text)).toEqual(ids);
          expect(ours.encodePrompt(text)).toEqual((await hf.encode(text, null, { addSpecialTokens: true })).getIds());
          expect(ours.decode(ids)).toBe(await hf.decode(ids, false));
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe("SentencePiece-style BPE faults", () => {
  const v = llamaVocabularies().find((x) => x.name === "llama-spm")!;
  const json = hfSentencePieceJson(tokenizerJsonOf(v.gguf) as SpmJson, "legacy");

  it("without byte fallback a character the vocabulary lacks is <unk>; without the Prepend step the first word loses its ▁", () => {
    const clean = tokenizerFromJson(json);
    expect(clean.encode("🎉").map((id) => clean.tokenText(id))).toEqual(["▁", "<0xF0>", "<0x9F>", "<0x8E>", "<0x89>"]);
    expect(tokenizerFromJson(json, { spmNoByteFallback: true }).encode("🎉").map((id) => clean.tokenText(id))).toEqual(["▁", "<unk>"]);
    expect(clean.encode("Hello").map((id) => clean.tokenText(id))).toEqual(["▁Hello"]);
    expect(tokenizerFromJson(json, { spmNoSpacePrefix: true }).encode("Hello").map((id) => clean.tokenText(id))).not.toContain("▁Hello");
  });
});

describe("SentencePiece-style decoders", () => {
  const vocab = { "<unk>": 0, "▁a": 1, b: 2, "<0xC3>": 3, "<0xA9>": 4, "<0xF0>": 5 };
  const json = (decoder: unknown) => ({ model: { type: "BPE", unk_token: "<unk>", byte_fallback: true, vocab, merges: [] }, decoder });
  const replace = { type: "Replace", pattern: { String: "▁" }, content: " " };

  it.each([
    ["Replace, ByteFallback, Fuse, Strip", { type: "Sequence", decoders: [replace, { type: "ByteFallback" }, { type: "Fuse" }, { type: "Strip", content: " ", start: 1, stop: 0 }] }, [1, 2, 3, 4, 5], "ab\uFFFD\uFFFD\uFFFD"],
    ["ByteFallback on a valid run", { type: "Sequence", decoders: [replace, { type: "ByteFallback" }, { type: "Fuse" }] }, [1, 3, 4, 2], " a\u00e9b"],
    ["Metaspace", { type: "Metaspace", replacement: "▁", prepend_scheme: "always" }, [1, 3, 4], "a<0xC3><0xA9>"],
  ])("%s decodes as Hugging Face's library does", async (_name, decoder, ids, expected) => {
    const hf = HfTokenizer.fromString(JSON.stringify({ version: "1.0", added_tokens: [], normalizer: null, pre_tokenizer: null, post_processor: null, ...json(decoder) }));
    expect(await hf.decode(ids, false)).toBe(expected);
    expect(tokenizerFromJson(json(decoder)).decode(ids)).toBe(expected);
  });

  it("refuses a Strip of each token and an unknown decoder, naming the field", () => {
    expect(() => tokenizerFromJson(json({ type: "Sequence", decoders: [{ type: "Strip", content: " ", start: 1, stop: 0 }] }))).toThrow(/decoder Strip of each token/);
    expect(() => tokenizerFromJson(json({ type: "WordPiece" }))).toThrow(/decoder type "WordPiece" is not supported/);
  });
});
