// Names a claim uses must exist: models, prompts and the oracle records its measure reads.
// `gates validate` reports an unknown one with the file, the claim, the field and the known names.

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SYNTHETIC_SHAPES as SHAPE_NAMES } from "../../core/vocabulary.ts";
import { SYNTHETIC_SHAPES } from "../../bench/synthetic.ts";
import { formatProblem, parseClaimFile } from "../../gates/claims.ts";
import { zooModels } from "../../core/model-ref.ts";
import { referenceProblems } from "../../gates/references.ts";

const canary = readFileSync("claims/canary.yaml", "utf8");
const kv = readFileSync("claims/kv.yaml", "utf8");

function problemsAfter(file: string, text: string, from: string, to: string, oracleDir = "oracle"): string[] {
  const changed = text.replace(from, to);
  expect(changed).not.toBe(text); // the edit must apply, or the test proves nothing
  const { claims, problems } = parseClaimFile(`claims/${file}`, changed);
  expect(problems).toEqual([]);
  return claims.flatMap((c) => referenceProblems(c, oracleDir)).map(formatProblem);
}

describe("claim references", () => {
  it("an unknown model lists the zoo, the synthetic shapes and paths", () => {
    expect(problemsAfter("canary.yaml", canary, "model: [tiny-llama,", "model: [tiny-lama,")).toEqual([
      `claims/canary.yaml: claim 'canary-int8-exact-text' field 'subject.model.0': expected a zoo model (tiny-gpt2, tiny-llama, tiny-llama-rope-dynamic, tiny-llama-rope-scaled, tiny-llama-spm, tiny-qwen2), a synthetic shape (synthetic:smollm-135m-shape, synthetic:qwen2-0.5b-shape, synthetic:tinyllama-1.1b-shape, synthetic:qwen2-1.5b-shape) or a path; found "tiny-lama"`,
    ]);
    expect(problemsAfter("canary.yaml", canary, "model: [tiny-llama,", "model: [/no/such/model.gguf,")[0]).toContain(`field 'subject.model.0': expected an existing model directory or file; found "/no/such/model.gguf"`);
  });

  it("an unknown prompt lists the oracle's prompts", () => {
    expect(problemsAfter("canary.yaml", canary, "each: [arithmetic,", "each: [arithmetik,")).toEqual([
      `claims/canary.yaml: claim 'canary-int8-exact-text' field 'prompts.each.0': expected a prompt of oracle/prompts/ (arithmetic, chat, chat-utf8, code, completion, greeting, list, long, utf8); found "arithmetik"`,
    ]);
  });

  it("a chat prompt is oracle/prompts/<name>.messages.json; a shuffled-text perplexity claim reads ppl/<model>.shuffled.json", () => {
    const text = parseClaimFile("claims/text.yaml", readFileSync("claims/text.yaml", "utf8"));
    expect(text.claims.flatMap((c) => referenceProblems(c, "oracle"))).toEqual([]);
    // an oracle directory with the held-out perplexity record of tiny-llama only
    const dir = mkdtempSync(join(tmpdir(), "refute-refs-"));
    try {
      mkdirSync(join(dir, "ppl"));
      copyFileSync("oracle/ppl/tiny-llama.json", join(dir, "ppl", "tiny-llama.json"));
      const ppl = parseClaimFile("claims/ppl.yaml", readFileSync("claims/ppl.yaml", "utf8"));
      const shuffled = parseClaimFile("claims/ppl-shuffled.yaml", readFileSync("claims/ppl-shuffled.yaml", "utf8"));
      const problemsOf = (id: string) => referenceProblems({ ...[...ppl.claims, ...shuffled.claims].find((c) => c.id === id)!, subject: { ...ppl.claims[0].subject, model: ["tiny-llama"] } }, dir).map(formatProblem);
      expect(problemsOf("ppl-int8-ceiling")).toEqual([]);
      expect(problemsOf("ppl-int8-shuffled-percent").join("\n")).toContain(`missing: ${join(dir, "ppl", "tiny-llama.shuffled.json")}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a model without the oracle records its measure reads: a synthetic shape has no greedy oracle", () => {
    const [p] = problemsAfter("canary.yaml", canary, "model: [tiny-llama,", `model: ["synthetic:smollm-135m-shape",`);
    expect(p).toMatch(/field 'subject.model': expected a model with the oracle records measure 'exact-text' reads \(missing: oracle\/synthetic:smollm-135m-shape\/arithmetic\.json, .*pnpm oracle generates them\); found "synthetic:smollm-135m-shape"/);
    // the KV fidelity claim that names its token count reads no perplexity record
    const { claims } = parseClaimFile("claims/kv.yaml", kv);
    expect(referenceProblems(claims.find((c) => c.id === "kv-int4-g64-snr-floor")!, "oracle")).toEqual([]);
  });

  it("knows the zoo and the synthetic shapes the engine makes", () => {
    expect(zooModels()).toEqual(["tiny-gpt2", "tiny-llama", "tiny-llama-rope-dynamic", "tiny-llama-rope-scaled", "tiny-llama-spm", "tiny-qwen2"]);
    expect([...SHAPE_NAMES].sort()).toEqual(Object.keys(SYNTHETIC_SHAPES).sort());
  });
});
