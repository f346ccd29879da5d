// The oracle's whole distributions (oracle/<model>/<prompt>.logprobs.f32): read as their record
// says, each step a probability distribution, consistent with the record's top-10, and refused
// when truncated, altered or missing.

import { cpSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OracleStore } from "../../gates/oracle.ts";
import { tempDir } from "./helpers.ts";

const prompt = { name: "code", text: readFileSync("oracle/prompts/code.txt", "utf8") };

describe("oracle distributions", () => {
  it.each(["tiny-llama", "tiny-qwen2", "tiny-gpt2"])("%s: every step sums to 1 and holds the record's top-10", async (model) => {
    const store = new OracleStore("oracle");
    const dist = await store.distributions(model, prompt);
    const record = await store.generation(model, prompt);
    expect([dist.kind, dist.steps, dist.vocab]).toEqual(["full", 32, 1024]);
    for (let step = 0; step < dist.steps; step++) {
      const total = dist.tokens(step).reduce((sum, t) => sum + Math.exp(dist.logprob(step, t)!), 0);
      expect(Math.abs(total - 1)).toBeLessThan(1e-5);
      for (const e of record.topk[step]) expect(Math.abs(dist.logprob(step, e.token)! - e.logprob)).toBeLessThanOrEqual(5e-7 + 1e-9); // the record rounds to 1e-6
    }
    expect(dist.logprob(32, 0)).toBeNull();
  });

  function copy(): string {
    const dir = tempDir("refute-dist-");
    cpSync("oracle/prompts", join(dir, "prompts"), { recursive: true });
    cpSync("oracle/tiny-llama", join(dir, "tiny-llama"), { recursive: true });
    return dir;
  }

  it("refuses a truncated file, an altered one, and a record without distributions", async () => {
    const truncated = copy();
    truncateSync(join(truncated, "tiny-llama", "code.logprobs.f32"), 1000);
    await expect(new OracleStore(truncated).distributions("tiny-llama", prompt)).rejects.toMatchObject({ code: "E_ORACLE_INVALID", message: expect.stringMatching(/1000 bytes, but its record's layout \(full, 32 steps, vocab 1024\) makes 131072/) });
    const altered = copy();
    const file = join(altered, "tiny-llama", "code.logprobs.f32");
    const bytes = readFileSync(file);
    bytes[4] ^= 1;
    writeFileSync(file, bytes);
    await expect(new OracleStore(altered).distributions("tiny-llama", prompt)).rejects.toMatchObject({ code: "E_ORACLE_STALE" });
    const old = copy();
    const record = join(old, "tiny-llama", "code.json");
    const { distributions: _, ...rest } = JSON.parse(readFileSync(record, "utf8"));
    writeFileSync(record, JSON.stringify(rest));
    await expect(new OracleStore(old).distributions("tiny-llama", prompt)).rejects.toMatchObject({ code: "E_ORACLE_MISSING" });
  });
});
