// The Python encoders (scripts/zoo/bpe.py, scripts/zoo/spm.py) against Hugging Face's own tokenizers library (the
// npm package `tokenizers`, Rust): for every string in oracle/tokenizer/<slug>.json both must
// give the same ids and the same decoded text. This is what lets the vectors stand as ground
// truth for the engine's tokenizer.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "tokenizers";
import { describe, expect, it } from "vitest";
import { ZOO_SLUGS, readJson, repoPath } from "./paths.ts";

interface VectorFile {
  model_slug: string;
  tokenizer_file: string;
  tokenizer_sha256: string;
  count: number;
  cases: { text: string; ids: number[]; decoded: string }[];
}

describe.each(ZOO_SLUGS)("%s tokenizer vectors", (slug) => {
  const vectors = readJson<VectorFile>(join("oracle", "tokenizer", `${slug}.json`));
  const tokenizer = Tokenizer.fromFile(repoPath(vectors.tokenizer_file));

  it("has at least 200 strings, all distinct", () => {
    expect(vectors.cases.length).toBe(vectors.count);
    expect(vectors.count).toBeGreaterThanOrEqual(200);
    expect(new Set(vectors.cases.map((c) => c.text)).size).toBe(vectors.count);
  });

  it("Hugging Face tokenizers gives the Python encoder's ids and round trip for every string", async () => {
    const disagreements: string[] = [];
    for (const c of vectors.cases) {
      const encoding = await tokenizer.encode(c.text, null, { addSpecialTokens: false });
      const ids = encoding.getIds();
      const decoded = await tokenizer.decode(ids, false);
      if (JSON.stringify(ids) !== JSON.stringify(c.ids) || decoded !== c.decoded) {
        disagreements.push(
          `${JSON.stringify(c.text)}: python ${JSON.stringify(c.ids)} ${JSON.stringify(c.decoded)}, ` +
            `tokenizers ${JSON.stringify(ids)} ${JSON.stringify(decoded)}`,
        );
      }
    }
    expect(disagreements).toEqual([]);
  });

  it("the tokenizer file is the one the vectors were made from", () => {
    const raw = readFileSync(repoPath(vectors.tokenizer_file));
    expect(createHash("sha256").update(raw).digest("hex")).toBe(vectors.tokenizer_sha256);
  });
});
