// Real vocabularies: every vocabulary-only GGUF of the llama.cpp source node-llama-cpp ships,
// against the test vectors Hugging Face's AutoTokenizer made for it (.gguf.inp / .gguf.out),
// id for id. The byte-level BPE, SentencePiece, Gemma 4 and WordPiece ones are tokenized by
// refute's tokenizer from the GGUF's metadata alone; the others (Unigram, and a BPE file that
// names no pre-tokenizer) are refused, saying what is missing, never tokenized by a guess.

import { describe, expect, it } from "vitest";
import { isRefuteError } from "../../core/errors.ts";
import { openTokenizer } from "../../engine/open-tokenizer.ts";
import { llamaVocabularies } from "../../core/llama-vocabularies.ts";

const vocabularies = llamaVocabularies();
const named = (name: string) => vocabularies.find((v) => v.name === name)!;

/** id for id with Hugging Face's vectors */
const MATCHED = ["bert-bge", "command-r", "deepseek-coder", "deepseek-llm", "falcon", "gemma-4", "gpt-2", "llama-bpe", "llama-spm", "mpt", "phi-3", "qwen2", "qwen35", "refact", "starcoder"];
/** read, but the bundle has no test vectors for them */
const UNTESTED = ["baichuan"];
/** refused, and why */
const REFUSED: Record<string, RegExp> = {
  aquila: /no tokenizer\.ggml\.pre: .* refute does not guess/,
  "gpt-neox": /no tokenizer\.ggml\.pre/,
  "nomic-bert-moe": /tokenizer\.ggml\.model "t5" is not one refute implements .*Unigram vocabularies are not implemented/,
};

describe("llama.cpp's vocabularies", () => {
  it("are each either matched or refused here: a new one in the bundle is noticed", () => {
    expect(vocabularies.map((v) => v.name).sort()).toEqual([...MATCHED, ...UNTESTED, ...Object.keys(REFUSED)].sort());
  });

  it.each(UNTESTED)("%s: read (no test vectors to compare with)", (name) => {
    expect(named(name).cases).toBeNull();
    expect(openTokenizer(named(name).gguf).encode("Hello world").length).toBeGreaterThan(0);
  });

  it.each(MATCHED)("%s: every test string tokenized as Hugging Face does", (name) => {
    const v = named(name);
    const tokenizer = openTokenizer(v.gguf);
    expect(v.cases!.length).toBeGreaterThanOrEqual(40);
    const mismatches = v.cases!.filter((c) => tokenizer.encode(c.text).join(" ") !== c.ids.join(" ")).map((c) => `${JSON.stringify(c.text)}: ${tokenizer.encode(c.text).join(" ")} (expected ${c.ids.join(" ")})`);
    expect(mismatches).toEqual([]);
  });

  it.each(Object.entries(REFUSED))("%s: refused, naming what is missing", (name, why) => {
    let error: unknown = null;
    try {
      openTokenizer(named(name).gguf);
    } catch (e) {
      error = e;
    }
    expect(isRefuteError(error) && error.code).toBe("GGUF_UNSUPPORTED_TOKENIZER");
    expect((error as Error).message).toMatch(why);
  });
});
