// refute's tokenizer against llama.cpp's own (node-llama-cpp loading each vocabulary-only GGUF
// with vocabOnly), on generated strings: unicode, digits, whitespace runs, code, special-token
// text. The vectors of llama-vocabularies.test.ts are Hugging Face's; these are the runtime's.
// Left out: "<s>" and "</s>" as text. llama.cpp makes a vocabulary's ordinary "</s>" a control
// token where the GGUF types it as a normal one (qwen2's and qwen35's: llama.cpp reads "</s>A"
// as 2 tokens, refute's BPE as "</", "s", ">A"): llama.cpp's own reclassification, recorded in
// the notes, not a question for this test.

import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { openTokenizer } from "../../engine/open-tokenizer.ts";
import { loadLlama } from "../../runtimes/llamacpp.ts";
import { llamaVocabularies } from "../../core/llama-vocabularies.ts";

const MATCHED = ["bert-bge", "command-r", "deepseek-coder", "deepseek-llm", "falcon", "gemma-4", "gpt-2", "llama-bpe", "llama-spm", "mpt", "phi-3", "qwen2", "qwen35", "refact", "starcoder"];

const piece = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.stringMatching(/^[0-9]{1,9}$/),
  fc.stringMatching(/^[ \t\n]{1,6}$/),
  fc.stringMatching(/^\n{1,4}$/),
  fc.constantFrom("def f(x):\n    return x", "if (a && b) { c++; }", "Hello, World!", "naïve café", "日本語のテキスト", "Привет мир", "🦙🦙", "'s 're 'll", "<|endoftext|>", "<|im_start|>"),
  fc.stringMatching(/^[a-zA-Z]{1,10}$/),
);
const text = fc.array(piece, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(""));

const disposers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of disposers) await d();
});

describe("refute's tokenizer and llama.cpp's agree", () => {
  it.each(MATCHED)("%s: on generated strings", async (name) => {
    const vocabulary = llamaVocabularies().find((v) => v.name === name)!;
    const llama = await loadLlama();
    const model = await llama.loadModel({ modelPath: vocabulary.gguf, vocabOnly: true });
    disposers.push(() => model.dispose());
    const mine = openTokenizer(vocabulary.gguf);
    fc.assert(
      fc.property(text, (t) => {
        expect(mine.encode(t)).toEqual([...model.tokenize(t, true)].map(Number));
      }),
      { numRuns: 150, seed: 20261202 },
    );
    // the special tokens around a prompt: llama.cpp's add_bos / add_eos (and a WordPiece vocabulary's SEP)
    const tokens = model.tokens;
    const prefix = tokens.shouldPrependBosToken ? [Number(tokens.bos)] : [];
    const suffix = [...(tokens.shouldAppendEosToken ? [Number(tokens.eos)] : []), ...(name === "bert-bge" ? [Number(tokens.sep)] : [])];
    expect(mine.specials).toEqual({ prefix, suffix });
  }, 60_000);
});
