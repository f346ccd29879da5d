// The oracle store validates every file it reads with oracle/schema.json: a file that does
// not follow it is E_ORACLE_INVALID naming the file and the field, and blocks its checks.

import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OracleStore } from "../../gates/oracle.ts";
import { FIXTURE_ORACLE, tempDir } from "./helpers.ts";

function storeWith(file: string, edit: (doc: Record<string, unknown>) => void): OracleStore {
  const dir = join(tempDir(), "oracle");
  cpSync(FIXTURE_ORACLE, dir, { recursive: true });
  const doc = JSON.parse(readFileSync(join(dir, file), "utf8"));
  edit(doc);
  writeFileSync(join(dir, file), JSON.stringify(doc));
  return new OracleStore(dir);
}

describe("oracle store", () => {
  it("reads the schema-valid fixture", async () => {
    const store = new OracleStore(FIXTURE_ORACLE);
    const g = await store.generation("tiny-llama", await store.prompt("code"));
    expect(g.tokens).toHaveLength(32);
    expect(g.promptTokens).toEqual([1, 2, 3]);
    expect((await store.perplexity("tiny-llama")).perplexity).toBe(12.5);
  });

  it("refuses a greedy file with a logprob above 0, and one without its tokens, naming the field", async () => {
    const positive = storeWith("tiny-llama/code.json", (d) => ((d.topk as { logprob: number }[][])[3][0].logprob = 0.5));
    await expect(positive.generation("tiny-llama", await positive.prompt("code"))).rejects.toThrow(/tiny-llama\/code\.json: field 'topk\.3\.0\.logprob': expected a value that must be <= 0; found 0\.5/);
    const missing = storeWith("tiny-llama/code.json", (d) => delete d.tokens);
    await expect(missing.generation("tiny-llama", await missing.prompt("code"))).rejects.toMatchObject({ code: "E_ORACLE_INVALID", facts: { field: "tokens" } });
  });

  it("refuses a perplexity file whose window is not an integer", async () => {
    const store = storeWith("ppl/tiny-qwen2.json", (d) => (d.window = "64"));
    await expect(store.perplexity("tiny-qwen2")).rejects.toThrow(/ppl\/tiny-qwen2\.json: field 'window': expected a value that must be integer; found "64"/);
  });
});
