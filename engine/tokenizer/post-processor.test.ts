// The special tokens a post-processor puts around a text, against Hugging Face's tokenizers
// library (encode with add_special_tokens) on the same tokenizer.json.

import { Tokenizer as HfTokenizer } from "tokenizers";
import { describe, expect, it } from "vitest";
import { isRefuteError } from "../../core/errors.ts";
import { tokenizerFromJson } from "./tokenizer.ts";

const vocab = { "[UNK]": 0, "[CLS]": 1, "[SEP]": 2, a: 3, b: 4, "<s>": 5, "</s>": 6 };
const added = ["[UNK]", "[CLS]", "[SEP]", "<s>", "</s>"].map((content) => ({ id: vocab[content as keyof typeof vocab], content, special: true, single_word: false, lstrip: false, rstrip: false, normalized: false }));
const json = (post: unknown) => ({ version: "1.0", added_tokens: added, normalizer: null, pre_tokenizer: null, post_processor: post, decoder: null, model: { type: "BPE", unk_token: "[UNK]", vocab, merges: [] } });
const special = (t: string) => ({ SpecialToken: { id: t, type_id: 0 } });
const table = (...ts: string[]) => Object.fromEntries(ts.map((t) => [t, { id: t, ids: [vocab[t as keyof typeof vocab]], tokens: [t] }]));

describe("post-processors", () => {
  it.each([
    ["none", null],
    ["TemplateProcessing <s> A </s>", { type: "TemplateProcessing", single: [special("<s>"), { Sequence: { id: "A", type_id: 0 } }, special("</s>")], pair: [], special_tokens: table("<s>", "</s>") }],
    ["BertProcessing", { type: "BertProcessing", cls: ["[CLS]", 1], sep: ["[SEP]", 2] }],
    ["a Sequence of ByteLevel and TemplateProcessing", { type: "Sequence", processors: [{ type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false }, { type: "TemplateProcessing", single: [special("[CLS]"), { Sequence: { id: "A", type_id: 0 } }], pair: [], special_tokens: table("[CLS]") }] }],
  ])("%s: as Hugging Face's library adds them", async (_name, post) => {
    const hf = HfTokenizer.fromString(JSON.stringify(json(post)));
    const ours = tokenizerFromJson(json(post));
    for (const text of ["ab", "ba<s>a", ""]) expect(ours.encodePrompt(text)).toEqual((await hf.encode(text, null, { addSpecialTokens: true })).getIds());
  });

  it("refuses one it does not implement, and a template naming a special token it does not list", () => {
    for (const post of [{ type: "Whatever" }, { type: "TemplateProcessing", single: [special("<s>"), { Sequence: { id: "A", type_id: 0 } }], special_tokens: {} }]) {
      let error: unknown;
      try {
        tokenizerFromJson(json(post));
      } catch (e) {
        error = e;
      }
      expect(isRefuteError(error) && error.facts.field).toBe("post_processor");
    }
  });
});
