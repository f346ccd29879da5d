// The streaming detokenizer against decoding all ids at once (the reference: the tokenizer's
// own decode, which test/tokenizer checks against Hugging Face's library). A stream's deltas
// must concatenate to that text, and no delta of a valid UTF-8 text may hold U+FFFD, on the
// byte-level zoo vocabulary and the SentencePiece one with byte fallback.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { llamaVocabularies } from "../../core/llama-vocabularies.ts";
import { ZOO_DIR } from "../load.ts";
import { openTokenizer } from "../open-tokenizer.ts";
import { StreamingDecoder } from "./streaming-decoder.ts";
import { type Tokenizer, tokenizerFromJson } from "./tokenizer.ts";

const tokenizer = (slug: string) => tokenizerFromJson(JSON.parse(readFileSync(join(ZOO_DIR, slug, "tokenizer.json"), "utf8")));

const TEXTS = ["In Kraków people say Dzień dobry 🏰.", "東京 こんにちは 🗾", "서울 안녕하세요 🌸", "Grüß Gott 🍺 and Καλημέρα 🌞", "plain ascii"];

function stream(decoder: StreamingDecoder, ids: number[]): string[] {
  const deltas = ids.map((id) => decoder.push(id));
  deltas.push(decoder.flush());
  return deltas;
}

describe.each(["tiny-llama", "tiny-llama-spm"])("streaming detokenizer on %s", (slug) => {
  const tok = tokenizer(slug);

  it.each(TEXTS)("streams %s with no U+FFFD in any delta and the deltas add up to the text", (text) => {
    const ids = tok.encode(text);
    const deltas = stream(new StreamingDecoder(tok), ids);
    expect(deltas.join("")).toBe(tok.decode(ids));
    expect(deltas.filter((d) => d.includes("\uFFFD"))).toEqual([]);
  });

  it("a character split across tokens is held back until its last byte (an emoji is more than one token)", () => {
    const ids = tok.encode("🏰");
    expect(ids.length).toBeGreaterThan(1);
    const deltas = stream(new StreamingDecoder(tok), ids);
    expect(deltas.slice(0, -2).every((d) => d === "")).toBe(true);
    expect(deltas.join("")).toBe(tok.decode(ids));
  });

  it("any id sequence: the deltas concatenate to decoding all ids at once", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1023 }), { maxLength: 40 }), (ids) => {
        expect(stream(new StreamingDecoder(tok), ids).join("")).toBe(tok.decode(ids));
      }),
      { numRuns: 200 },
    );
  });

  it("decoding each token on its own (the detokenizer-bytes-per-token fault) writes U+FFFD at a split character", () => {
    const ids = tok.encode("Dzień dobry 🏰");
    const text = stream(new StreamingDecoder(tok, true), ids).join("");
    expect(text).toContain("\uFFFD");
    expect(text).not.toBe(tok.decode(ids));
  });

  it("any id sequence: with the per-token choice as a hook, the deltas are those of the mode it names, and it is read only where the two modes' deltas differ", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1023 }), { maxLength: 40 }), fc.boolean(), (ids, perToken) => {
        let reads = 0;
        const lazy = stream(new StreamingDecoder(tok, () => (reads++, perToken)), ids);
        const named = stream(new StreamingDecoder(tok, perToken), ids);
        const other = stream(new StreamingDecoder(tok, !perToken), ids);
        expect(lazy).toEqual(named);
        expect(reads).toBe(JSON.stringify(named) === JSON.stringify(other) ? 0 : 1);
      }),
      { numRuns: 300 },
    );
  });

  it("the per-token hook is not read for plain text whose tokens decode alone as they do in the stream, and is read where a character is split", () => {
    let reads = 0;
    const hook = () => (reads++, true);
    stream(new StreamingDecoder(tok, hook), tok.encode("Dzień dobry 🏰"));
    expect(reads).toBe(1);
    reads = 0;
    if (slug === "tiny-llama") {
      // byte-level BPE: a token's text alone is its text in the stream (no leading space to strip)
      stream(new StreamingDecoder(tok, hook), tok.encode("plain ascii"));
      expect(reads).toBe(0);
    }
  });
});

// llama.cpp's vocabulary GGUFs: WordPiece (a space before each word but the text's first),
// SentencePiece with byte fallback from GGUF metadata, byte-level BPE with added tokens
describe.each(["bert-bge", "llama-spm", "gpt-2", "phi-3"])("streaming detokenizer on llama.cpp's %s vocabulary", (name) => {
  const tok = openTokenizer(llamaVocabularies().find((v) => v.name === name)!.gguf);

  it.each(TEXTS)("streams %s: the deltas add up to decoding all ids at once", (text) => {
    const ids = tok.encode(text);
    expect(stream(new StreamingDecoder(tok), ids).join("")).toBe(tok.decode(ids));
  });

  it.each(["a\uFEFFb", "a\uFEFF", "\uFEFFa"])("streams %j: a U+FEFF the tokens spell is text, at the start, after emitted text and at the end", (text) => {
    const ids = tok.encode(text);
    // BERT's normalizer drops U+FEFF on the way in; the others spell it in bytes
    expect(tok.decode(ids)).toBe(name === "bert-bge" ? text.replace("\uFEFF", "") : text);
    expect(stream(new StreamingDecoder(tok), ids).join("")).toBe(tok.decode(ids));
  });

  it("any id sequence: the deltas concatenate to decoding all ids at once", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: tok.vocabSize - 1 }), { maxLength: 40 }), (ids) => {
        expect(stream(new StreamingDecoder(tok), ids).join("")).toBe(tok.decode(ids));
      }),
      { numRuns: 150 },
    );
  });
});

describe("streaming detokenizer on byte tokens spelled in lower-case hex", () => {
  // ByteFallback reads <0x4a> as a byte as it reads <0x4A>: a run of them is held back whole
  const tok = tokenizerFromJson({
    model: { type: "BPE", vocab: { "<0x4a>": 0, "<0xE2>": 1, x: 2 }, merges: [], byte_fallback: true },
    decoder: { type: "Sequence", decoders: [{ type: "ByteFallback" }, { type: "Fuse" }] },
  });

  it("the run <0x4a> <0xE2> is invalid as a whole: one U+FFFD per token, as decoding all ids gives", () => {
    expect(tok.decode([0, 1, 2])).toBe("\uFFFD\uFFFDx");
    expect(stream(new StreamingDecoder(tok), [0, 1, 2]).join("")).toBe("\uFFFD\uFFFDx");
  });
});

describe("streaming detokenizer's work", () => {
  it("decodes each token a bounded number of times: a stream of n tokens is O(n) token decodes, not a decode of all ids per token", () => {
    const tok = tokenizer("tiny-llama-spm");
    let decoded = 0;
    const counting: Pick<Tokenizer, "decode" | "decodeContinuation" | "tokenText"> = {
      decode: (ids) => ((decoded += ids.length), tok.decode(ids)),
      decodeContinuation: (ids) => ((decoded += ids.length), tok.decodeContinuation(ids)),
      tokenText: (id) => tok.tokenText(id),
    };
    const ids = tok.encode(TEXTS.join(" ").repeat(40));
    expect(ids.length).toBeGreaterThan(2000);
    const deltas = stream(new StreamingDecoder(counting), ids);
    expect(deltas.join("")).toBe(tok.decode(ids));
    // each push decodes the ids since the text was last final (at most a run of byte tokens:
    // here a few characters' worth) and the token alone for the per-token check; decoding all
    // ids per token would be n^2 / 2, over a thousand times this
    expect(decoded).toBeLessThan(8 * ids.length);
  });
});
