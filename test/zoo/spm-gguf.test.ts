// tiny-llama-spm's vocabulary in its two forms: Hugging Face's tokenizer.json (a BPE model with
// byte_fallback, merges by rank) and the GGUF refute exports from it (llama.cpp's SentencePiece:
// tokens with scores, byte tokens, add_space_prefix, add_bos). Expectations are the Python
// encoder's vectors (oracle/tokenizer/tiny-llama-spm.json, which test/zoo/tokenizer-vectors
// holds to Hugging Face's library); llama.cpp itself (node-llama-cpp, vocabOnly) must read the
// exported GGUF to the same ids, put <s> before a prompt, and stop at </s>.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeGgufFile } from "../../engine/formats/gguf/file.ts";
import { loadHfDirectory, ZOO_DIR } from "../../engine/load.ts";
import { ggufFromSource } from "../../engine/model/gguf-export.ts";
import { openTokenizer } from "../../engine/open-tokenizer.ts";
import { loadLlama } from "../../runtimes/llamacpp.ts";
import { readJson } from "./paths.ts";

const dir = mkdtempSync(join(tmpdir(), "refute-spm-gguf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SLUG = "tiny-llama-spm";
const vectors = readJson<{ cases: { text: string; ids: number[] }[] }>(join("oracle", "tokenizer", `${SLUG}.json`));
const gguf = join(dir, `${SLUG}.gguf`);
writeGgufFile(gguf, ggufFromSource(loadHfDirectory(join(ZOO_DIR, SLUG)), SLUG, "f32"));

const mismatches = (encode: (text: string) => number[]) => vectors.cases.filter((c) => encode(c.text).join(" ") !== c.ids.join(" ")).map((c) => JSON.stringify(c.text));

describe("tiny-llama-spm's SentencePiece vocabulary as tokenizer.json and as GGUF", () => {
  it("refute's tokenizer from tokenizer.json gives the vectors' ids", () => {
    expect(mismatches((t) => openTokenizer(join(ZOO_DIR, SLUG)).encode(t))).toEqual([]);
  });

  it("refute's tokenizer from the exported GGUF (scores, not merges) gives the same ids", () => {
    const fromGguf = openTokenizer(gguf);
    expect(mismatches((t) => fromGguf.encode(t))).toEqual([]);
    expect(fromGguf.encodePrompt("Hello")[0]).toBe(1);
  });

  it("llama.cpp reads the exported GGUF to the same ids, prepends <s> and ends generation at </s>", async () => {
    const llama = await loadLlama();
    const model = await llama.loadModel({ modelPath: gguf, vocabOnly: true });
    try {
      expect(mismatches((t) => [...model.tokenize(t, true)].map(Number))).toEqual([]);
      expect(model.tokens.shouldPrependBosToken).toBe(true);
      expect(Number(model.tokens.bos)).toBe(1);
      expect(model.isEogToken(2 as never)).toBe(true);
      // decoding generated tokens alone: llama.cpp drops the space add_space_prefix implies, as refute does
      const fromGguf = openTokenizer(gguf);
      const decoded = vectors.cases.slice(0, 100).filter((c) => fromGguf.decode(c.ids) !== model.detokenize(c.ids as never[]));
      expect(decoded.map((c) => JSON.stringify(c.text))).toEqual([]);
    } finally {
      await model.dispose();
    }
  }, 60_000);
});
