// Token texts in reports come from the model's tokenizer.json, decoded by refute on its own;
// Hugging Face's tokenizers library (an independent implementation) decodes every id of the
// zoo's vocabularies to the same text, except pieces that are part of a character, which it
// shows as U+FFFD and refute as their bytes.

import { readFileSync } from "node:fs";
import { Tokenizer } from "tokenizers";
import { describe, expect, it } from "vitest";
import { vocabularyTexts } from "../../gates/token-text.ts";

describe("token texts", () => {
  it.each(["tiny-llama", "tiny-qwen2", "tiny-gpt2"])("%s: every id decodes as Hugging Face decodes it alone", async (model) => {
    const file = `models/zoo/${model}/tokenizer.json`;
    const texts = vocabularyTexts(JSON.parse(readFileSync(file, "utf8")));
    const hf = await Tokenizer.fromFile(file);
    expect(texts.size).toBe(hf.getVocabSize(true));
    let partial = 0;
    for (const [id, text] of texts) {
      const theirs = await hf.decode([id], false);
      if (theirs.includes("\uFFFD")) {
        partial++;
        expect(text).toMatch(/\\x[89a-f][0-9a-f]/);
      } else expect(text, `id ${id}`).toBe(theirs);
    }
    expect(partial).toBeLessThan(texts.size / 2);
  });
});
