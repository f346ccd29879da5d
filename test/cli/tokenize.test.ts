// `refute tokenize` and `detokenize`: a model's tokenizer alone, from a zoo directory or a
// vocabulary-only GGUF; the ids are Hugging Face's (the tokenizers library, independent of
// refute's tokenizer), and decoding gives the text back.

import { Tokenizer } from "tokenizers";
import { describe, expect, it } from "vitest";
import { runDetokenize, run as tokenize } from "../../cli/tokenize.ts";
import { llamaVocabularies } from "../../core/llama-vocabularies.ts";

async function outcome(command: typeof tokenize, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const TEXT = "Hello world, 1234 times! ";

describe("refute tokenize", () => {
  it.each(["tiny-llama", "tiny-qwen2", "tiny-gpt2"])("%s: Hugging Face's ids, and detokenize gives the text back", async (model) => {
    const hf = (await Tokenizer.fromFile(`models/zoo/${model}/tokenizer.json`).encode(TEXT, null, { addSpecialTokens: false })).getIds();
    const r = await outcome(tokenize, ["--model", model, "--text", TEXT, "--json"]);
    expect(r.code).toBe(0);
    const { ids, tokens, count } = JSON.parse(r.out);
    expect(ids).toEqual(hf);
    expect([tokens.length, count]).toEqual([hf.length, hf.length]);
    expect((await outcome(runDetokenize, ["--model", model, "--ids", ids.join(",")])).out).toBe(TEXT);
  });

  it("reads a vocabulary-only GGUF (no weights, no architecture)", async () => {
    const qwen2 = llamaVocabularies().find((v) => v.name === "qwen2")!;
    const c = qwen2.cases!.find((x) => x.text === " Hello World!")!;
    const r = await outcome(tokenize, ["--model", qwen2.gguf, "--text", c.text]);
    expect(r.out).toBe(c.ids.join(" "));
  });

  it("adds the BOS a SentencePiece vocabulary puts before a prompt with --add-special, and only then", async () => {
    const spm = llamaVocabularies().find((v) => v.name === "llama-spm")!;
    const c = spm.cases!.find((x) => x.text === "Hello world")!;
    expect((await outcome(tokenize, ["--model", spm.gguf, "--text", c.text])).out).toBe(c.ids.join(" "));
    // id 1 is <s>, llama.cpp's BOS for the file (add_bos_token true)
    expect((await outcome(tokenize, ["--model", spm.gguf, "--text", c.text, "--add-special"])).out).toBe([1, ...c.ids].join(" "));
  });

  it("refuses two texts, no text, and a vocabulary it does not implement, with exit 2", async () => {
    expect((await outcome(tokenize, ["--model", "tiny-gpt2", "--text", "a", "--text-file", "b"])).code).toBe(2);
    expect((await outcome(tokenize, ["--model", "tiny-gpt2"])).err).toMatch(/exactly one of --text and --text-file/);
    const unigram = llamaVocabularies().find((v) => v.name === "nomic-bert-moe")!;
    const r = await outcome(tokenize, ["--model", unigram.gguf, "--text", "a"]);
    expect([r.code, r.err]).toEqual([2, expect.stringMatching(/"t5" is not one refute implements .*\[GGUF_UNSUPPORTED_TOKENIZER\]/)]);
    expect((await outcome(runDetokenize, ["--model", "tiny-gpt2", "--ids", "1,x"])).code).toBe(2);
  });
});
